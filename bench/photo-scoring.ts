/**
 * Photo scoring against degraded copies: for each of LIMIT LFW photos (the first in LABELS
 * order, default 200) where a face is found, seven copies are made (blur, under- and
 * over-exposure, the face made small, cut off, turned, occluded) and each must score lower than
 * its original. Prints the share of pairs per kind, and the median drop. Not a test: it runs the
 * real engine for a minute or so; docs/accuracy.md records the figures.
 *   node --import tsx bench/photo-scoring.ts        LIMIT=n EVAL_DIR=../shared/eval
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { defaultConfig } from '../src/config/config.loader.js';
import { PhotoScoring } from '../src/core/index.js';
import { scorePhoto } from '../src/core/catalogue/photo-scoring.rules.js';
import { SCORING_ATTRIBUTES } from '../src/core/catalogue/photo-scoring.service.js';
import { writeFileSync, appendFileSync } from 'node:fs';
import type { Box } from '../src/domain/face.model.js';
import { buildFaceService, loadRealAnalyzer } from '../src/main/services.compose.js';

const EVAL = resolve(process.env.EVAL_DIR ?? '../shared/eval');
const LIMIT = Number(process.env.LIMIT ?? 200);
// OFFSET skips the first rows of LABELS: a second, disjoint set of photos (and of people, from
// a new name on) to check that figures hold beyond the photos they were first measured on.
const OFFSET = Number(process.env.OFFSET ?? 0);
// RAW=<file> writes each analysis (faces without embeddings, image size) as JSON lines, so a
// change to the scoring rules can be checked again without running the models.
const RAW = process.env.RAW;
// DUMP=1 prints, for each pair the copy did not lose, the parts that went up.
const DUMP = process.env.DUMP === '1';

type Kind = (img: Buffer, w: number, h: number, box: Box) => Promise<Buffer>;
const jpeg = (s: sharp.Sharp) => s.jpeg({ quality: 92 }).toBuffer();

/** Each degradation, made from the original's pixels (and its face box where it needs one). */
const KINDS: Record<string, Kind> = {
  blur: (img) => jpeg(sharp(img).blur(3)),
  under_exposed: (img) => jpeg(sharp(img).linear(0.25, 0)),
  over_exposed: (img) => jpeg(sharp(img).linear(2.2, 70)),
  // The photo shrunk to a third in a frame of the original size: the same face, small in the frame.
  face_small: async (img, w, h) => {
    const sw = Math.round(w / 3), sh = Math.round(h / 3);
    const small = await sharp(img).resize(sw, sh).toBuffer();
    return jpeg(sharp(small).extend({ top: Math.floor((h - sh) / 2), bottom: Math.ceil((h - sh) / 2), left: Math.floor((w - sw) / 2), right: Math.ceil((w - sw) / 2), background: '#808080' }));
  },
  // Cropped through the face: the frame ends at 60 % of the face's width.
  cut_off: (img, w, h, b) => jpeg(sharp(img).extract({ left: 0, top: 0, width: Math.max(8, Math.min(w, Math.round(b.x1 + 0.6 * (b.x2 - b.x1)))), height: h })),
  // A 2-D copy cannot turn a head in depth: the head is tilted 35° in the frame (roll).
  turned: async (img, w, h) => jpeg(sharp(await sharp(img).rotate(35, { background: '#808080' }).toBuffer()).resize(w, h, { fit: 'cover' })),
  // A grey bar over the eyes (a third of the face's height).
  occluded: async (img, w, h, b) => {
    const fh = b.y2 - b.y1;
    const top = Math.max(0, Math.round(b.y1 + 0.22 * fh)), height = Math.max(1, Math.min(h - top, Math.round(0.3 * fh)));
    const left = Math.max(0, Math.round(b.x1)), width = Math.max(1, Math.min(w - left, Math.round(b.x2 - b.x1)));
    const bar = await sharp({ create: { width, height, channels: 3, background: '#808080' } }).png().toBuffer();
    return jpeg(sharp(img).composite([{ input: bar, left, top }]));
  },
};

async function main() {
  const labels = readFileSync(join(EVAL, 'lfw', 'LABELS'), 'utf8').trim().split('\n').slice(1 + OFFSET).map((l) => l.split(',')[0]!);
  const analyzer = await loadRealAnalyzer(1);
  const faceService = buildFaceService(defaultConfig(), analyzer);
  const scoring = new PhotoScoring(faceService);
  if (RAW) writeFileSync(RAW, '');
  const raw = async (rel: string, kind: string, bytes: Buffer) => {
    const r = await faceService.detect({ bytes }, { attributes: SCORING_ATTRIBUTES, maxFaces: 20 });
    if (RAW) appendFileSync(RAW, `${JSON.stringify({ rel, kind, image: r.image, faces: r.faces.map(({ embedding: _e, ...f }) => f) })}\n`);
    return scorePhoto(r.faces, r.image);
  };
  const tally = Object.fromEntries(Object.keys(KINDS).map((k) => [k, { lower: 0, n: 0, drops: [] as number[] }]));
  let used = 0, noFace = 0;
  const origScores: number[] = [];
  for (const rel of labels) {
    if (used >= LIMIT) break;
    const img = readFileSync(join(EVAL, 'lfw', rel));
    const orig = RAW ? { ...(await raw(rel, 'original', img)), box: (await scoring.scoreOne({ bytes: img })).box } : await scoring.scoreOne({ bytes: img });
    if (!orig.box) {
      noFace++;
      continue;
    }
    used++;
    origScores.push(orig.score);
    const { width, height } = await sharp(img).metadata();
    for (const [kind, make] of Object.entries(KINDS)) {
      const copy = await make(img, width!, height!, orig.box);
      const scored = RAW ? await raw(rel, kind, copy) : await scoring.scoreOne({ bytes: copy });
      const s = scored.score;
      const t = tally[kind]!;
      if (DUMP && s >= orig.score) {
        const up = Object.entries(scored.parts).map(([k, v]) => `${k} ${(v.points - orig.parts[k as keyof typeof orig.parts].points).toFixed(0)}`).join(' ');
        console.error(`${kind} ${rel} ${orig.score}->${s}: ${up}`);
      }
      t.n++;
      if (s < orig.score) t.lower++;
      t.drops.push(orig.score - s);
    }
  }
  await analyzer.close();
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
  console.log(`LFW photos with a face: ${used} (skipped without a face: ${noFace}); original score median ${median(origScores)}`);
  console.log('| degradation | pairs | copy scores lower | share | median drop |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [kind, t] of Object.entries(tally)) console.log(`| ${kind} | ${t.n} | ${t.lower} | ${((100 * t.lower) / t.n).toFixed(1)} % | ${median(t.drops)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
