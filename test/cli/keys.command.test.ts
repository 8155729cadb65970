// `visage keys …` against the data dir's database: it names the database it uses, only `create`
// may make a new one, and an account that does not exist is an error, never "unlimited".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

function capture(env: NodeJS.ProcessEnv) {
  const o = { out: '', err: '' };
  return { o, deps: { stdout: (s: string) => void (o.out += s), stderr: (s: string) => void (o.err += s), env } };
}

async function run(args: string[], env: NodeJS.ProcessEnv) {
  const c = capture(env);
  const code = await main(args, c.deps);
  process.exitCode = 0;
  return { code, ...c.o };
}

test('keys refuse a data dir without a database, except create, which says it made one', async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'visage-keys-')));
  try {
    const data = join(dir, 'data');
    const db = join(data, 'visage.db');
    for (const args of [['list'], ['revoke', 'key_x'], ['rotate', 'key_x'], ['usage', 'default'], ['credits', 'default', '5']]) {
      const r = await run(['keys', ...args], { VISAGE_DATA_DIR: data });
      assert.equal(r.code, 1, `keys ${args.join(' ')}`);
      assert.match(r.err, new RegExp(`no Visage database at ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      assert.match(r.err, /VISAGE_DATA_DIR/);
      assert.match(r.err, /--data-dir/);
      assert.equal(existsSync(db), false, `keys ${args.join(' ')} created no database`);
    }
    // A mistyped --data-dir is refused the same way, and named as the origin.
    const typo = await run(['keys', 'list', '--data-dir', join(dir, 'dta')], {});
    assert.equal(typo.code, 1);
    assert.match(typo.err, /dta\/visage\.db \(data dir from --data-dir\)/);

    const made = await run(['keys', 'create', '--account', 'acme', '--name', 'app', '--scopes', 'detect'], { VISAGE_DATA_DIR: data });
    assert.equal(made.code, 0, made.err);
    assert.equal(made.err, `created new database at ${db}\n`);
    assert.match(made.out, /secret \(shown once\): vsg_/);
    assert.equal(existsSync(db), true);

    // From now on every command names the database on stderr, once.
    const list = await run(['keys', 'list', '--data-dir', data], {});
    assert.equal(list.code, 0, list.err);
    assert.equal(list.err, `database: ${db}\n`);
    assert.match(list.out, /acme +app +\[detect\]/);
    const again = await run(['keys', 'create', '--account', 'acme', '--name', 'second'], { VISAGE_DATA_DIR: data });
    assert.equal(again.err, `database: ${db}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys usage|credits|list of an account that does not exist is an error, and creates nothing', async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'visage-keys-')));
  try {
    const env = { VISAGE_DATA_DIR: join(dir, 'data') };
    assert.equal((await run(['keys', 'create', '--account', 'acme', '--name', 'app'], env)).code, 0);
    for (const args of [['usage', 'nobody'], ['credits', 'nobody', '100'], ['list', '--account', 'nobody']]) {
      const r = await run(['keys', ...args], env);
      assert.equal(r.code, 1, `keys ${args.join(' ')}`);
      assert.match(r.err, /no account nobody in .*visage\.db \(accounts there: acme\)/);
      assert.match(r.err, /visage keys create --account nobody/);
      assert.doesNotMatch(r.out, /unlimited/);
    }
    // Still unknown: the refused commands made no account on the way.
    assert.equal((await run(['keys', 'usage', 'nobody'], env)).code, 1);
    const ok = await run(['keys', 'credits', 'acme', '100'], env);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^acme: 100 a month, 0 spent/);
    const usage = await run(['keys', 'usage', 'acme'], env);
    assert.match(usage.out, /^acme: 100 a month, 0 spent in \d{4}-\d{2}, 100 left/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys update changes options in place: listed at once, options left out stay, the secret stays', async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'visage-keys-')));
  try {
    const env = { VISAGE_DATA_DIR: join(dir, 'data') };
    const made = await run(['keys', 'create', '--account', 'acme', '--name', 'app', '--scopes', 'detect'], env);
    const id = /^(key_\S+)/.exec(made.out)![1]!;
    const up = await run(['keys', 'update', id, '--scopes', 'detect,search', '--rate', '4', '--burst', '8', '--header-only'], env);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /acme +app +\[detect,search\] +4\/s burst 8/);
    const back = await run(['keys', 'update', id, '--rate', 'default', '--no-header-only', '--name', 'renamed'], env);
    assert.match(back.out, /acme +renamed +\[detect,search\] +default rate/);
    const listed = JSON.parse((await run(['keys', 'list', '--json'], env)).out) as { id: string; headerOnly?: boolean }[];
    assert.equal(listed.find((k) => k.id === id)!.headerOnly, undefined);
    const bad = await run(['keys', 'update', id, '--scopes', 'fly'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /scope/i);
    assert.equal((await run(['keys', 'update'], env)).code, 2, 'a key id is needed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
