// What the gallery split and the new ports promise a user: an ambiguous id is refused, not
// guessed; an index written by another process is caught up before a search; a restart keeps
// every account's indexes; a bulk enrolment does what its credits cover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/config.loader.js';
import { VisageError } from '../../src/domain/error.registry.js';
import { modelKey } from '../../src/domain/model.info.js';
import { encodeTemplate } from '../../src/domain/template.codec.js';
import { buildFaceService, buildGalleries } from '../../src/main/services.compose.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';
import { DIM, openService, tpl } from '../helpers/gallery-harness.js';
import { randomUnit, rng } from '../helpers/synthetic-vectors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'visage-layout-'));
const isCode = (c: string) => (e: unknown) => e instanceof VisageError && e.code === c;

test('an id that names one face by internal id and another by client id is refused, naming both', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  await svc.createGallery({ name: 'g' });
  const rand = rng(3);
  const [first] = await svc.enrol('g', { template: tpl(randomUnit(DIM, rand)) });
  // A second face whose client id is the first face's internal id.
  const [second] = await svc.enrol('g', { template: tpl(randomUnit(DIM, rand)) }, { clientId: String(first!.id) });
  const ambiguous = { idOrClientId: String(first!.id) };
  await assert.rejects(svc.deleteFace('g', ambiguous), (e: unknown) => {
    assert.ok(isCode('AMBIGUOUS_ID')(e));
    const err = e as VisageError;
    assert.equal(err.details.internalId, first!.id);
    assert.equal(err.details.clientIdFaceId, second!.id);
    assert.match(err.message, /id_type/);
    return true;
  });
  assert.equal((await svc.getGallery('g')).faceCount, 2, 'nothing was deleted');
  // Said explicitly, each kind picks its own face; an id naming one face only is fine in auto.
  assert.equal((await svc.getFace('g', { clientId: String(first!.id) })).id, second!.id);
  await svc.deleteFace('g', { id: first!.id });
  assert.equal((await svc.getFace('g', ambiguous)).id, second!.id, 'no longer ambiguous once one is gone');
  await close();
});

test('a face enrolled by another process on the same data dir is found by a search here', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = openService(dir);
  const b = openService(dir); // a second store and index registry, as `visage index` beside a running server
  await a.svc.createGallery({ name: 'g' });
  const v = randomUnit(DIM, rng(9));
  await b.svc.identify(['g'], { template: tpl(v) }); // b opens its index while the gallery is empty
  const [face] = await a.svc.enrol('g', { template: tpl(v) }, { clientId: 'late' });
  const hit = await b.svc.identify(['g'], { template: tpl(v) });
  assert.equal(hit.probes[0]!.matches[0]?.face.id, face!.id);
  await a.svc.deleteFace('g', { clientId: 'late' });
  const gone = await b.svc.identify(['g'], { template: tpl(v) });
  assert.equal(gone.probes[0]!.matches.length, 0, 'a delete elsewhere stops matching here');
  await a.close();
  await b.close();
});

test('a restart keeps the indexes of galleries outside the default account (server composition)', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = Object.freeze({ ...defaultConfig(), dataDir: dir });
  const analyzer = new FakeAnalyzer();
  const template = encodeTemplate({ modelKey: modelKey(analyzer.embedder), vector: randomUnit(analyzer.embedder.dim, rng(4)) });
  const logs: string[] = [];
  const log = { info: (_o: unknown, m: string) => void logs.push(m), warn: (_o: unknown, m: string) => void logs.push(m) };
  const first = buildGalleries(config, buildFaceService(config, analyzer), log);
  await first.warmUp();
  const acme = first.galleries.scoped('acme');
  await acme.createGallery({ name: 'staff' });
  await acme.enrol('staff', { template });
  await first.close();
  const again = buildGalleries(config, buildFaceService(config, analyzer), log);
  await again.warmUp();
  assert.ok(!logs.some((m) => /no longer exists|rebuil/.test(m)), `no index deleted or rebuilt: ${logs.join('; ')}`);
  assert.equal((await again.galleries.scoped('acme').identify(['staff'], { template })).probes[0]!.matches.length, 1);
  await again.close();
});

test('a bulk enrolment with a budget enrols the good items it covers and refuses the rest one by one', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  await svc.createGallery({ name: 'g' });
  const rand = rng(5);
  const items = [
    { template: 'not-a-template', clientId: 'bad' },
    ...[1, 2, 3, 4].map((i) => ({ template: tpl(randomUnit(DIM, rand)), clientId: `p${i}` })),
  ];
  const r = await svc.enrolBulk('g', items, { budget: 3 });
  assert.deepEqual(
    r.map((x) => (x.ok ? 'ok' : x.code)),
    ['TEMPLATE_INVALID', 'ok', 'ok', 'ok', 'INSUFFICIENT_CREDITS'],
  );
  assert.equal((await svc.getGallery('g')).faceCount, 3);
  await close();
});
