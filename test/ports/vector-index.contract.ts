// The contract every vector index provider passes: usearch today
// (test/adapters/index/usearch-vector.index.test.ts), a database-backed index later.
// `provider(dir)` gives a provider whose saved indexes live at `dir`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VectorIndexProvider } from '../../src/ports/vector-index.port.js';
import { randomUnit, rng, sampleOf } from '../helpers/synthetic-vectors.js';

const DIM = 32;

export function vectorIndexContract(name: string, provider: (dir: string) => VectorIndexProvider): void {
  const setup = (t: import('node:test').TestContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'visage-vindex-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return provider(dir);
  };

  test(`${name}: nearest first, replace by id, remove, clear`, async (t) => {
    const p = setup(t);
    const { index, status } = await p.open('c1', DIM, 0);
    assert.equal(status, 'missing');
    const rand = rng(11);
    const vs = Array.from({ length: 50 }, () => randomUnit(DIM, rand));
    for (const [i, v] of vs.entries()) await index.add(i + 1, v);
    assert.equal(index.size, 50);
    const [best] = await index.search(vs[9]!, 1);
    assert.equal(best!.id, 10);
    assert.ok(Math.abs(best!.cosine - 1) < 1e-3);
    // Vectors are normalised on the way in: a scaled query finds the same face.
    assert.equal((await index.search(vs[9]!.map((x) => x * 5), 1))[0]!.id, 10);
    await index.add(10, vs[20]!); // replaces
    assert.equal(index.size, 50);
    assert.equal(await index.has(10), true);
    assert.equal(await index.remove(10), true);
    assert.equal(await index.remove(10), false);
    assert.equal(await index.has(10), false);
    assert.ok(!(await index.search(vs[9]!, 50)).some((h) => h.id === 10));
    const hits = await index.search(randomUnit(DIM, rand), 5);
    assert.equal(hits.length, 5);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.cosine >= hits[i]!.cosine, 'best first');
    await index.clear();
    assert.equal(index.size, 0);
    assert.deepEqual(await index.search(vs[0]!, 3), []);
  });

  test(`${name}: a saved index reopens with its contents and high-water mark; destroy forgets it`, async (t) => {
    const p = setup(t);
    const { index } = await p.open('c2', DIM, 0);
    const rand = rng(12);
    const centres = Array.from({ length: 30 }, () => randomUnit(DIM, rand));
    for (const [i, c] of centres.entries()) await index.add(i + 1, sampleOf(c, 0.6, rand));
    index.highWaterMark = 42;
    assert.equal(index.dirty, true);
    await index.save();
    assert.equal(index.dirty, false);
    index.close();
    const again = await p.open('c2', DIM, 30);
    assert.equal(again.status, 'loaded');
    assert.equal(again.index.size, 30);
    assert.equal(again.index.highWaterMark, 42);
    assert.equal((await again.index.search(centres[7]!, 1))[0]!.id, 8);
    assert.deepEqual(await p.keys(), ['c2']);
    await p.destroy('c2');
    assert.deepEqual(await p.keys(), []);
    assert.equal((await p.open('c2', DIM, 0)).status, 'missing');
  });

  test(`${name}: an index of another dimension is not loaded as this one`, async (t) => {
    const p = setup(t);
    const { index } = await p.open('c3', DIM, 0);
    await index.add(1, randomUnit(DIM, rng(13)));
    await index.save();
    assert.notEqual((await p.open('c3', DIM + 1, 1)).status, 'loaded');
  });
}
