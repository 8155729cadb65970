import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { main } from '../../src/cli/main.js';
import { runIndex } from '../../src/cli/index.command.js';
import { ProgressReporter } from '../../src/cli/progress.reporter.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { buildLocalStack } from '../../src/main/services.compose.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';
import { someLfwPhoto } from '../helpers/eval-photos.js';

function capture(dataDir: string) {
  const o = { out: '', err: '' };
  const deps = {
    stdout: (s: string) => void (o.out += s),
    stderr: (s: string) => void (o.err += s),
    loadAnalyzer: async () => new FakeAnalyzer(),
    env: { VISAGE_DATA_DIR: dataDir, VISAGE_WORKERS: '2' },
  };
  return { o, deps };
}

async function clientIds(dataDir: string, gallery: string): Promise<string[]> {
  const stack = await buildLocalStack(loadConfig({ VISAGE_DATA_DIR: dataDir }), async () => new FakeAnalyzer());
  try {
    const page = await stack.galleries.listFaces(gallery, { limit: 1000 });
    return page.faces.map((f) => f.clientId!).sort();
  } finally {
    await stack.close();
  }
}

test('index enrols a folder, reports what it could not, and resumes where it stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-index-'));
  try {
    const photos = join(dir, 'photos');
    mkdirSync(join(photos, 'sub'), { recursive: true });
    for (let i = 0; i < 4; i++) writeFileSync(join(i < 2 ? photos : join(photos, 'sub'), `p${i}.jpg`), someLfwPhoto(i * 7));
    writeFileSync(join(photos, 'blank.png'), await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer());
    writeFileSync(join(photos, 'bad.jpg'), 'text, not a photo');
    writeFileSync(join(photos, 'notes.txt'), 'not an image name: ignored');
    const data = join(dir, 'data');

    const a = capture(data);
    assert.equal(await main(['index', photos, '--gallery', 'staff', '--create-database'], a.deps), 0);
    assert.match(a.o.err, /created gallery staff/);
    assert.match(a.o.err, /6\/6 \(100\.0%\) · [\d.]+ faces\/s · done/);
    assert.match(a.o.err, /bad\.jpg: UNSUPPORTED_MEDIA_TYPE/);
    assert.match(a.o.out, /enrolled +4\n/);
    assert.match(a.o.out, /already enrolled 0/);
    assert.match(a.o.out, /no face +1/);
    assert.match(a.o.out, /failed +1\n +UNSUPPORTED_MEDIA_TYPE 1/);
    assert.deepEqual(await clientIds(data, 'staff'), ['p0', 'p1', 'p2', 'p3']);

    // A second run (as after Ctrl-C) skips what is there and enrols only the new photos.
    writeFileSync(join(photos, 'p4.jpg'), someLfwPhoto(40));
    const b = capture(data);
    assert.equal(await runIndex([photos, '--gallery', 'staff'], b.deps), 0);
    assert.doesNotMatch(b.o.err, /created gallery/);
    assert.match(b.o.out, /enrolled +1\n/);
    assert.match(b.o.out, /already enrolled 4/);
    assert.deepEqual(await clientIds(data, 'staff'), ['p0', 'p1', 'p2', 'p3', 'p4']);

    // Nothing could be done: exit 1.
    const empty = join(dir, 'only-bad');
    mkdirSync(empty);
    writeFileSync(join(empty, 'x.jpg'), 'nope');
    const c = capture(data);
    assert.equal(await runIndex([empty, '--gallery', 'staff'], c.deps), 1);
    const d = capture(data);
    assert.equal(await runIndex([photos], d.deps), 2);
    assert.match(d.o.err, /--gallery/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 0;
  }
});

test('index reads a JSONL list with ids and meta; --all-faces numbers the faces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-index-'));
  try {
    writeFileSync(join(dir, 'a.jpg'), someLfwPhoto(1));
    writeFileSync(join(dir, 'b.jpg'), someLfwPhoto(2));
    const list = join(dir, 'list.jsonl');
    writeFileSync(
      list,
      [
        JSON.stringify({ path: 'a.jpg', id: 'emp-1', meta: { name: 'Ann' } }),
        JSON.stringify({ path: 'b.jpg' }),
        JSON.stringify({ path: 'a.jpg', id: 'emp-1' }),
        '{oops',
        '',
      ].join('\n'),
    );
    const data = join(dir, 'data');
    const a = capture(data);
    assert.equal(await runIndex([list, '--gallery', 'g1', '--create-database'], a.deps), 0);
    assert.match(a.o.out, /enrolled +2\n/);
    assert.match(a.o.out, /BAD_RECORD 1/);
    assert.match(a.o.out, /DUPLICATE_ID 1/);
    assert.deepEqual(await clientIds(data, 'g1'), ['b', 'emp-1']);
    const stack = await buildLocalStack(loadConfig({ VISAGE_DATA_DIR: data }), async () => new FakeAnalyzer());
    try {
      assert.deepEqual((await stack.galleries.getFace('g1', { clientId: 'emp-1' })).meta, { name: 'Ann' });
    } finally {
      await stack.close();
    }

    const b = capture(data);
    assert.equal(await runIndex([dir, '--gallery', 'g2', '--all-faces', '--data-dir', data], { ...b.deps, env: {}, loadAnalyzer: async () => new FakeAnalyzer(2) }), 0);
    assert.match(b.o.out, /enrolled +2 \(4 faces\)/);
    assert.deepEqual(await clientIds(data, 'g2'), ['a#1', 'a#2', 'b#1', 'b#2']);
    const c = capture(data);
    assert.equal(await runIndex([dir, '--gallery', 'g2', '--all-faces', '--data-dir', data], { ...c.deps, env: {} }), 0);
    assert.match(c.o.out, /already enrolled 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the progress line updates in place on a terminal and every so often on a pipe', () => {
  let t = 0;
  let tty = '';
  const p = new ProgressReporter({ total: 100, write: (s) => void (tty += s), tty: true, now: () => t });
  t = 10_000;
  p.update(50, 50, 50);
  assert.match(tty, /^\r50\/100 \(50\.0%\) · 5\.0 faces\/s · ETA 10s\x1b\[K$/);
  let pipe = '';
  const q = new ProgressReporter({ total: 100, write: (s) => void (pipe += s), tty: false, pipeEveryMs: 5000, now: () => t });
  for (let i = 1; i <= 10; i++) {
    t += 1000;
    q.update(i, i, i);
  }
  assert.equal(pipe.split('\n').filter(Boolean).length, 2);
});

test('index --index fills a search index from JSONL (url, group) and a folder, resumable by URL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-index-search-'));
  try {
    const photos = join(dir, 'photos');
    mkdirSync(photos, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(photos, `p${i}.jpg`), someLfwPhoto(i * 5));
    const list = join(dir, 'list.jsonl');
    writeFileSync(
      list,
      [
        JSON.stringify({ path: 'photos/p0.jpg', url: 'https://example.org/a.jpg', group: 7 }),
        JSON.stringify({ path: 'photos/p1.jpg', url: 'https://example.org/b.jpg' }),
        JSON.stringify({ path: 'photos/p2.jpg', url: 42 }),
      ].join('\n'),
    );
    const data = join(dir, 'data');
    const a = capture(data);
    assert.equal(await main(['index', list, '--index', 'web', '--create-database'], a.deps), 0);
    assert.match(a.o.err, /created search index web/);
    assert.match(a.o.out, /search index web: 3 photos/);
    assert.match(a.o.out, /enrolled +2\b/);
    assert.match(a.o.out, /failed +1\n +BAD_RECORD 1/);

    // Again: both URLs are there already; the folder adds its photos under file: URLs.
    const b = capture(data);
    assert.equal(await main(['index', list, '--index', 'web'], b.deps), 0);
    assert.match(b.o.out, /enrolled +0\n/);
    assert.match(b.o.out, /already enrolled 2/);
    const c = capture(data);
    assert.equal(await main(['index', photos, '--index', 'web'], c.deps), 0);
    assert.match(c.o.out, /enrolled +3\b/);

    const config = loadConfig({ VISAGE_DATA_DIR: data });
    const stack = await buildLocalStack(config, async () => new FakeAnalyzer());
    const { buildFaceSearch } = await import('../../src/main/face-search.compose.js');
    const search = buildFaceSearch(config, { faces: stack.faces, galleries: stack.galleries });
    try {
      const [web] = await search.indexes.list();
      assert.equal(web?.name, 'web');
      assert.ok(web!.faceCount >= 5, `faces ${web!.faceCount}`);
    } finally {
      search.close();
      await stack.close();
    }

    const d = capture(data);
    assert.equal(await main(['index', photos, '--index', 'web', '--gallery', 'x'], d.deps), 2);
    process.exitCode = 0; // main sets it; the test run must not inherit the usage error
    assert.match(d.o.err, /one of them/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
