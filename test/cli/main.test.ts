import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';
import { someLfwPhoto } from '../helpers/eval-photos.js';

function capture() {
  const o = { out: '', err: '' };
  return { o, deps: { stdout: (s: string) => void (o.out += s), stderr: (s: string) => void (o.err += s), loadAnalyzer: async () => new FakeAnalyzer(), env: {} } };
}

test('--help prints usage; an unknown command is exit 2', async () => {
  const a = capture();
  assert.equal(await main(['--help'], a.deps), 0);
  assert.match(a.o.out, /visage detect/);
  const b = capture();
  assert.equal(await main(['frobnicate'], b.deps), 2);
  assert.match(b.o.err, /unknown command/);
  process.exitCode = 0;
});

test('detect prints a table or JSON; verify compares two files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-cli-'));
  try {
    const photo = join(dir, 'a.jpg');
    writeFileSync(photo, someLfwPhoto(0));
    const t = capture();
    assert.equal(await main(['detect', photo, '--attributes', 'age,gender'], t.deps), 0);
    assert.match(t.o.out, /250x250, 1 face/);
    assert.match(t.o.out, /age 33, female/);
    const j = capture();
    assert.equal(await main(['detect', photo, '--json'], j.deps), 0);
    assert.equal(JSON.parse(j.o.out).face_count, 1);
    const v = capture();
    assert.equal(await main(['verify', photo, photo], v.deps), 0);
    assert.match(v.o.out, /^MATCH/);
    const bad = join(dir, 'b.jpg');
    writeFileSync(bad, 'text, not a photo');
    const e = capture();
    assert.equal(await main(['detect', bad], e.deps), 1);
    assert.match(e.o.out, /UNSUPPORTED_MEDIA_TYPE/);
    const u = capture();
    assert.equal(await main(['detect', photo, '--attributes', 'shoe'], u.deps), 1);
    assert.match(u.o.err, /BAD_PARAM.*attributes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 0;
  }
});
