import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsearchIndexProvider } from '../../../src/adapters/index/usearch-vector.index.js';
import { vectorIndexContract } from '../../ports/vector-index.contract.js';
import { dot, randomUnit, rng, sampleOf } from '../../helpers/synthetic-vectors.js';

const DIM = 64;
const tmp = () => mkdtempSync(join(tmpdir(), 'visage-index-'));

function bruteTopK(data: Map<number, Float32Array>, q: Float32Array, k: number): number[] {
  return [...data].map(([id, v]) => ({ id, s: dot(v, q) })).sort((a, b) => b.s - a.s).slice(0, k).map((x) => x.id);
}

vectorIndexContract('usearch exact', (dir) => new UsearchIndexProvider(dir, { exactLimit: 1000 }));
vectorIndexContract('usearch HNSW', (dir) => new UsearchIndexProvider(dir, { exactLimit: 10 }));

test('exact mode: right answers, removal, save and reload', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rand = rng(1);
  const p = new UsearchIndexProvider(dir);
  const { index, status } = await p.open('g1', DIM, 0);
  assert.equal(status, 'missing');
  assert.equal(index.mode, 'exact');
  const data = new Map<number, Float32Array>();
  for (let id = 1; id <= 300; id++) {
    const v = randomUnit(DIM, rand);
    data.set(id, v);
    await index.add(id, v);
  }
  const q = randomUnit(DIM, rand);
  assert.deepEqual((await index.search(q, 10)).map((h) => h.id), bruteTopK(data, q, 10));
  const best = (await index.search(data.get(17)!, 1))[0]!;
  assert.equal(best.id, 17);
  assert.ok(Math.abs(best.cosine - 1) < 1e-5);
  // Inputs that are not unit length are normalised.
  assert.equal((await index.search(data.get(17)!.map((x) => x * 3), 1))[0]!.id, 17);

  assert.equal(await index.remove(17), true);
  assert.equal(await index.remove(17), false);
  data.delete(17);
  assert.ok(!(await index.search(q, 300)).some((h) => h.id === 17));
  assert.equal(index.size, 299);
  index.highWaterMark = 42;
  await index.save();
  assert.equal(index.dirty, false);

  const again = await p.open('g1', DIM, 299);
  assert.equal(again.status, 'loaded');
  assert.equal(again.index.size, 299);
  assert.equal(again.index.highWaterMark, 42);
  assert.deepEqual((await again.index.search(q, 10)).map((h) => h.id), bruteTopK(data, q, 10));
  assert.deepEqual(await p.keys(), ['g1']);
  await p.destroy('g1');
  assert.deepEqual(await p.keys(), []);
  assert.equal((await p.open('g1', DIM, 0)).status, 'missing');
});

test('a damaged, truncated or foreign file is reported, never loaded', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rand = rng(2);
  const p = new UsearchIndexProvider(dir, { exactLimit: 50 });
  for (const [key, n] of [['small', 20], ['big', 80]] as const) {
    const { index } = await p.open(key, DIM, n);
    for (let id = 1; id <= n; id++) await index.add(id, randomUnit(DIM, rand));
    await index.save();
  }
  assert.equal((await p.open('big', DIM, 80)).index.mode, 'hnsw');
  assert.equal((await p.open('small', DIM, 20)).status, 'loaded');
  assert.equal((await p.open('small', DIM + 1, 20)).status, 'mismatch');
  assert.equal((await p.open('small', DIM, 200)).status, 'mismatch', 'a gallery that grew past the limit wants HNSW');

  for (const file of ['small.flat', 'big.usearch']) {
    const path = join(dir, file);
    const good = readFileSync(path);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 5]! ^= 0xff;
    writeFileSync(path, flipped);
    const key = file.split('.')[0]!;
    const n = key === 'small' ? 20 : 80;
    const r = await p.open(key, DIM, n);
    assert.equal(r.status, 'corrupt');
    assert.equal(r.index.size, 0);
    writeFileSync(path, good.subarray(0, 100));
    assert.equal((await p.open(key, DIM, n)).status, 'corrupt');
  }
  writeFileSync(join(dir, 'small.json'), '{not json');
  assert.equal((await p.open('small', DIM, 20)).status, 'corrupt');
});

test('HNSW mode: grows from exact, finds identities, and deleted vectors leave no bytes on disk', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rand = rng(3);
  const p = new UsearchIndexProvider(dir, { exactLimit: 200 });
  const { index } = await p.open('g', DIM, 0);
  const centres = Array.from({ length: 100 }, () => randomUnit(DIM, rand));
  let id = 0;
  const owner = new Map<number, number>();
  for (let s = 0; s < 5; s++) {
    for (const [who, c] of centres.entries()) {
      await index.add(++id, sampleOf(c, 0.6, rand));
      owner.set(id, who);
    }
  }
  assert.equal(index.mode, 'hnsw', 'switched once past the exact limit');
  assert.equal(index.size, 500);
  let right = 0;
  for (const [who, c] of centres.entries()) {
    const hits = await index.search(sampleOf(c, 0.6, rand), 5);
    right += hits.filter((h) => owner.get(h.id) === who).length;
  }
  assert.ok(right / 500 > 0.9, `identity recall ${right / 500}`);

  const secret = sampleOf(centres[0]!, 0.6, rand);
  const kept = sampleOf(centres[1]!, 0.6, rand);
  await index.add(9999, secret);
  await index.add(10000, kept);
  assert.equal((await index.search(secret, 1))[0]!.id, 9999);
  assert.equal(await index.remove(9999), true);
  assert.ok(!(await index.search(secret, 50)).some((h) => h.id === 9999));
  index.highWaterMark = 7;
  await index.save();
  // The saved file holds floats normalised on the way in: look for those exact bytes.
  const file = readFileSync(join(dir, 'g.usearch'));
  const bytesOf = (v: Float32Array) => Buffer.from(v.slice(0, 4).buffer);
  assert.ok(file.indexOf(bytesOf(kept)) >= 0, 'control: a live vector is found this way');
  assert.ok(file.indexOf(bytesOf(secret)) < 0, 'removed vector scrubbed from the saved file');

  const re = await p.open('g', DIM, 501);
  assert.equal(re.status, 'loaded');
  assert.equal(re.index.size, 501);
  assert.equal(re.index.highWaterMark, 7);
});

test('HNSW quantization: i8 finds the same identities; a file saved with another quantization is rebuilt, not misread', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rand = rng(5);
  const i8 = new UsearchIndexProvider(dir, { exactLimit: 10, quantization: 'i8' });
  const { index } = await i8.open('q', DIM, 0);
  const centres = Array.from({ length: 50 }, () => randomUnit(DIM, rand));
  for (const [who, c] of centres.entries()) await index.add(who + 1, sampleOf(c, 0.6, rand));
  let right = 0;
  for (const [who, c] of centres.entries()) {
    const [top] = await index.search(sampleOf(c, 0.6, rand), 1);
    if (top?.id === who + 1) right++;
    // Scores come from 8-bit vectors: close to, not exactly, the float cosine.
    if (top?.id === who + 1) assert.ok(top.cosine > 0.2 && top.cosine <= 1.001);
  }
  assert.ok(right >= 48, `rank-1 ${right}/50`);
  index.highWaterMark = 1;
  await index.save();
  assert.equal((await i8.open('q', DIM, 50)).status, 'loaded');
  const f32 = new UsearchIndexProvider(dir, { exactLimit: 10, quantization: 'f32' });
  const other = await f32.open('q', DIM, 50);
  assert.equal(other.status, 'mismatch');
  assert.match(other.reason ?? '', /i8/);
});
