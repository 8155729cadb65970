// Every command and subcommand answers --help (and -h) with its own usage on stdout, exit 0,
// without touching a database, loading a model or starting a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

test('--help of every command prints its usage and exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-help-'));
  const data = join(dir, 'data');
  const engine = async () => {
    throw new Error('--help must not load the engine');
  };
  const cases: Array<[string[], RegExp]> = [
    [['serve', '--help'], /visage serve/],
    [['detect', '--help'], /visage detect <image…>[\s\S]*--attributes/],
    [['detect', 'photo.jpg', '-h'], /visage detect/],
    [['verify', '--help'], /visage verify <a> <b>[\s\S]*templates/],
    [['index', '--help'], /visage index <folder \| list\.jsonl>[\s\S]*--create-database/],
    [['index', 'photos', '-h'], /visage index/],
    [['keys', '--help'], /visage keys create/],
    [['keys', 'help'], /visage keys create/],
    ...(['create', 'list', 'revoke', 'rotate', 'credits', 'usage'].map((s) => [['keys', s, '--help'], new RegExp(`visage keys ${s}`)]) as Array<[string[], RegExp]>),
  ];
  try {
    for (const [args, usage] of cases) {
      await t.test(args.join(' '), async () => {
        const o = { out: '', err: '' };
        const code = await main(args, { stdout: (s) => void (o.out += s), stderr: (s) => void (o.err += s), loadAnalyzer: engine, env: { VISAGE_DATA_DIR: data } });
        process.exitCode = 0;
        assert.equal(code, 0, o.err);
        assert.match(o.out, usage);
        assert.doesNotMatch(o.err, /Unknown option/);
        assert.equal(existsSync(data), false, 'no data dir was created');
      });
    }
    // eval prints its own usage through console.log.
    await t.test('eval --help', async () => {
      const log = console.log;
      let printed = '';
      console.log = (s: string) => void (printed += s);
      try {
        assert.equal(await main(['eval', '--help'], { stdout: () => {}, stderr: () => {} }), 0);
      } finally {
        console.log = log;
      }
      assert.match(printed, /usage: visage eval/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve refuses arguments it does not know instead of starting', async () => {
  const o = { out: '', err: '' };
  assert.equal(await main(['serve', '--port', '9000'], { stdout: (s) => void (o.out += s), stderr: (s) => void (o.err += s) }), 2);
  process.exitCode = 0;
  assert.match(o.err, /serve takes no arguments/);
});
