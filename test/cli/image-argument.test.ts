// `visage verify|detect` arguments are told apart by content: an existing file, else a template
// (verify), else a clear error naming the argument. Real templates are ~2,700 characters, longer
// than a file name may be, so they must never reach the file system as a path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { encodeTemplate } from '../../src/domain/template.codec.js';
import { buildFaceService, loadRealAnalyzer } from '../../src/main/services.compose.js';
import type { FaceAnalyzer } from '../../src/ports/face-analyzer.port.js';
import { FakeAnalyzer, FAKE_EMBEDDER } from '../helpers/fake-analyzer.js';
import { someLfwPhoto } from '../helpers/eval-photos.js';

function capture(loadAnalyzer: () => Promise<FaceAnalyzer> = async () => new FakeAnalyzer()) {
  const o = { out: '', err: '' };
  return { o, deps: { stdout: (s: string) => void (o.out += s), stderr: (s: string) => void (o.err += s), loadAnalyzer, env: {} } };
}

function tempPhoto(): { dir: string; photo: string } {
  const dir = mkdtempSync(join(tmpdir(), 'visage-cli-arg-'));
  const photo = join(dir, 'a.jpg');
  writeFileSync(photo, someLfwPhoto(0));
  return { dir, photo };
}

test('verify takes a real 512-d template (longer than a file name may be) against a photo', async () => {
  const { dir, photo } = tempPhoto();
  const analyzer = await loadRealAnalyzer(0);
  try {
    const made = await buildFaceService(loadConfig({}), analyzer).templates({ bytes: someLfwPhoto(0) });
    const template = made.templates[0]!;
    assert.ok(template.length > 1000, `a real template is long (${template.length} chars)`);
    // The engine is loaded once for the whole test; the CLI's close() must not end it.
    const shared = async () => Object.assign(Object.create(analyzer) as FaceAnalyzer, { close: async () => {} });
    const a = capture(shared);
    assert.equal(await main(['verify', template, photo], a.deps), 0, a.o.err);
    assert.match(a.o.out, /^MATCH: similarity 0\.99/);
    const b = capture(shared);
    assert.equal(await main(['verify', photo, template, '--json'], b.deps), 0, b.o.err);
    assert.equal(JSON.parse(b.o.out).match, true);
    const c = capture(shared);
    assert.equal(await main(['verify', template, template], c.deps), 0, c.o.err);
    assert.match(c.o.out, /^MATCH/);
    const other = join(dir, 'other.jpg');
    writeFileSync(other, someLfwPhoto(1)); // another person
    const d = capture(shared);
    assert.equal(await main(['verify', template, other], d.deps), 0, d.o.err);
    assert.match(d.o.out, /^NO MATCH/);
  } finally {
    await analyzer.close();
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 0;
  }
});

test('verify: a long string that is no template is a clear error naming the argument', async () => {
  const { dir, photo } = tempPhoto();
  try {
    const good = encodeTemplate({ modelKey: `${FAKE_EMBEDDER.id}@${FAKE_EMBEDDER.version}`, vector: new Float32Array(512).fill(0.01) });
    const damaged = `${good.slice(0, 1000)}${good[1000] === 'A' ? 'B' : 'A'}${good.slice(1001)}`;
    for (const [arg, why] of [
      [damaged, /checksum/],
      ['x'.repeat(3000), /unknown format/],
      ['no/such/photo.jpg', /no such file/],
    ] as const) {
      const e = capture();
      assert.equal(await main(['verify', photo, arg], e.deps), 2, e.o.err);
      assert.match(e.o.err, /argument b/);
      assert.match(e.o.err, why);
      assert.doesNotMatch(e.o.err, /ENAMETOOLONG|\n\s+at /);
      assert.ok(e.o.err.length < 600, 'the argument is not echoed in full');
    }
    // A folder is not a photo.
    const f = capture();
    assert.equal(await main(['verify', dir, photo], f.deps), 2);
    assert.match(f.o.err, /argument a .*folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 0;
  }
});

test('detect: a template or an over-long name is refused with a clear message, not ENAMETOOLONG', async () => {
  const { dir, photo } = tempPhoto();
  try {
    const template = encodeTemplate({ modelKey: `${FAKE_EMBEDDER.id}@${FAKE_EMBEDDER.version}`, vector: new Float32Array(512).fill(0.01) });
    const t = capture();
    assert.equal(await main(['detect', photo, template], t.deps), 2);
    assert.match(t.o.err, /a template, not an image/);
    assert.doesNotMatch(t.o.err, /ENAMETOOLONG/);
    const l = capture();
    assert.equal(await main(['detect', 'y'.repeat(400)], l.deps), 2);
    assert.match(l.o.err, /no such file/);
    assert.doesNotMatch(l.o.err, /ENAMETOOLONG/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 0;
  }
});
