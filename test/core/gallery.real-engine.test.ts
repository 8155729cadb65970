// Identification with the real engine on real LFW photos: enrolled people are found first,
// people never enrolled get an empty list at the default threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SharpDecoder } from '../../src/adapters/image/sharp-decoder.adapter.js';
import { createFaceAnalyzer } from '../../src/main/face-analyzer.compose.js';
import { FaceService } from '../../src/core/face.service.js';
import { VisageError } from '../../src/domain/error.registry.js';
import { EVAL_DIR, evalPhoto } from '../helpers/eval-photos.js';
import { openService } from '../helpers/gallery-harness.js';

function lfwPeople(): { name: string; photos: string[] }[] {
  const rows = readFileSync(join(EVAL_DIR, 'lfw', 'LABELS'), 'utf8').trim().split('\n').slice(1);
  const by = new Map<string, string[]>();
  for (const r of rows) {
    const [path, who] = r.split(',');
    by.set(who!, [...(by.get(who!) ?? []), join('lfw', path!)]);
  }
  return [...by].filter(([, p]) => p.length >= 2).map(([name, photos]) => ({ name, photos }));
}

test('real engine: rank-1 on enrolled people, nothing for strangers', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-real-gal-'));
  const analyzer = await createFaceAnalyzer({ poolSize: 0 });
  t.after(async () => (await analyzer.close(), rmSync(dir, { recursive: true, force: true })));
  const faces = new FaceService(
    { analyzer, decoder: new SharpDecoder({ maxPixels: 50_000_000 }), fetcher: { fetch: async () => new Uint8Array() } },
    { minFaceSize: 20, maxFaces: 10 },
  );
  const { svc, close } = openService(dir, { faces });
  t.after(close);
  await svc.createGallery({ name: 'lfw' });
  const people = lfwPeople();
  const enrolled = people.slice(0, 10);
  const strangers = people.slice(10, 16);
  for (const p of enrolled) await svc.enrol('lfw', { image: { bytes: evalPhoto(p.photos[0]!) } }, { clientId: p.name });

  let rank1 = 0;
  for (const p of enrolled) {
    const r = await svc.identify(['lfw'], { image: { bytes: evalPhoto(p.photos[1]!) } }, { threshold: 'none', limit: 3 });
    if (r.probes[0]!.matches[0]?.face.clientId === p.name) rank1++;
  }
  let empty = 0;
  for (const p of strangers) {
    const r = await svc.identify(['lfw'], { image: { bytes: evalPhoto(p.photos[0]!) } });
    if (r.probes[0]!.matches.length === 0) empty++;
  }
  t.diagnostic(`rank-1 ${rank1}/${enrolled.length}, strangers with no match ${empty}/${strangers.length}`);
  assert.ok(rank1 >= 9, `rank-1 ${rank1}/10`);
  assert.ok(empty >= 5, `strangers rejected ${empty}/6`);

  const flat = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#777777' } }).png().toBuffer();
  await assert.rejects(svc.enrol('lfw', { image: { bytes: flat } }), (e) => e instanceof VisageError && e.code === 'NO_FACE');
});
