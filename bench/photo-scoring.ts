/**
 * Photo scoring against degraded copies: for each of LIMIT LFW photos (the first in LABELS
 * order from OFFSET, default 200) where a face is found, degraded copies are made and each must
 * score lower than its original. The seven kinds the issue names (blur, under- and over-exposure,
 * the face made small, cut off, turned, occluded by a grey bar over the eyes) come first; four
 * other occluders follow, which the occluder measure (face-cover.rules.ts) was NOT fit on, as a
 * check that it is not fit to the grey bar alone: a near-black band (dark glasses), a flat patch
 * of the face's own colour over an eye and cheek (a hand), a light-blue mask over mouth and chin,
 * and a textured patch (the photo's own top-left corner) over the eyes, which flatness cannot
 * see. Prints the share of pairs per kind and the median drop. Not a test: it runs the real
 * engine for a few minutes; docs/accuracy.md records the figures.
 *   node --import tsx bench/photo-scoring.ts        LIMIT=n OFFSET=n EVAL_DIR=../shared/eval
 * REAL=1 instead reads the occluder measure on real photos nobody degraded: faces with and
 * without a mask (facemask_boxes), UTKFace faces by group (does it cost any group more?) and
 * CompreFace's large camera photos; it prints how many faces lose anything to it and how much.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { defaultConfig } from '../src/config/config.loader.js';
import { largestFace, scorePhoto } from '../src/core/catalogue/photo-scoring.rules.js';
import { SCORING_ATTRIBUTES, measurePixels } from '../src/core/catalogue/photo-scoring.service.js';
import { uncovered } from '../src/core/catalogue/face-cover.rules.js';
import { iou, type Box } from '../src/domain/face.model.js';
import type { FaceService } from '../src/core/index.js';
import { buildFaceService, loadRealAnalyzer } from '../src/main/services.compose.js';

const EVAL = resolve(process.env.EVAL_DIR ?? '../shared/eval');
const LIMIT = Number(process.env.LIMIT ?? 200);
// OFFSET skips the first rows of LABELS: a second, disjoint set of photos (and of people, from
// a new name on) to check that figures hold beyond the photos they were first measured on.
const OFFSET = Number(process.env.OFFSET ?? 0);
// RAW=<file> writes each analysis (faces without embeddings, image size, pixel measures) as
// JSON lines, so a change to the scoring rules can be checked again without running the models.
const RAW = process.env.RAW;
// DUMP=1 prints, for each pair the copy did not lose, how many points each part gained.
const DUMP = process.env.DUMP === '1';

type Kind = (img: Buffer, w: number, h: number, box: Box) => Promise<Buffer>;
const jpeg = (s: sharp.Sharp) => s.jpeg({ quality: 92 }).toBuffer();

/** A rectangle of the face box (fractions of its width and height), kept inside the photo. */
function faceRect(w: number, h: number, b: Box, fx: number, fy: number, fw: number, fh: number) {
  const bw = b.x2 - b.x1, bh = b.y2 - b.y1;
  const left = Math.max(0, Math.round(b.x1 + fx * bw)), top = Math.max(0, Math.round(b.y1 + fy * bh));
  return { left, top, width: Math.max(1, Math.min(w - left, Math.round(fw * bw))), height: Math.max(1, Math.min(h - top, Math.round(fh * bh))) };
}
const paste = async (img: Buffer, r: { left: number; top: number; width: number; height: number }, background: sharp.Color) =>
  jpeg(sharp(img).composite([{ input: await sharp({ create: { width: r.width, height: r.height, channels: 3, background } }).png().toBuffer(), left: r.left, top: r.top }]));

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
  occluded: (img, w, h, b) => paste(img, faceRect(w, h, b, 0, 0.22, 1, 0.3), '#808080'),
  // Other occluders, not fit on (see the header).
  dark_glasses: (img, w, h, b) => paste(img, faceRect(w, h, b, 0.075, 0.28, 0.85, 0.18), '#101010'),
  hand: async (img, w, h, b) => {
    const cheek = await sharp(img).extract(faceRect(w, h, b, 0.3, 0.55, 0.4, 0.2)).stats();
    const [r, g, bl] = cheek.channels.map((c) => Math.round(c.mean));
    return paste(img, faceRect(w, h, b, 0.02, 0.18, 0.55, 0.55), { r: r!, g: g!, b: bl! });
  },
  mask: (img, w, h, b) => paste(img, faceRect(w, h, b, 0.05, 0.58, 0.9, 0.45), '#a9c8e0'),
  textured_patch: async (img, w, h, b) => {
    const r = faceRect(w, h, b, 0, 0.24, 1, 0.26);
    const patch = await sharp(img).extract({ left: 0, top: 0, width: r.width, height: r.height }).png().toBuffer();
    return jpeg(sharp(img).composite([{ input: patch, left: r.left, top: r.top }]));
  },
};

/** The occluder measure on real photos, per group: share of faces it costs anything, mean `uncovered`. */
async function realPhotos(faceService: FaceService) {
  const rows = (set: string) => readFileSync(join(EVAL, set, 'LABELS'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const groups = new Map<string, number[]>();
  const add = (g: string, u: number) => groups.set(g, [...(groups.get(g) ?? []), u]);
  const faces = async (bytes: Buffer) => {
    const { result, pixels } = await faceService.detectWithPixels({ bytes }, { maxFaces: 50, minFaceSize: 1 });
    return result.faces.map((f) => ({ box: f.box, u: uncovered(measurePixels(pixels, result.image, f.box).flatShare) }));
  };
  // Labelled faces at least 40 px wide, matched to a detection (IoU >= 0.4).
  const masks = new Map<string, string[][]>();
  for (const r of rows('facemask_boxes')) masks.set(r[0]!, [...(masks.get(r[0]!) ?? []), r]);
  for (const [path, labelled] of masks) {
    const found = await faces(readFileSync(join(EVAL, 'facemask_boxes', path)));
    for (const l of labelled) {
      const b = { x1: +l[3]!, y1: +l[4]!, x2: +l[5]!, y2: +l[6]! };
      const best = found.map((f) => ({ f, o: iou(f.box, b) })).sort((x, y) => y.o - x.o)[0];
      if (b.x2 - b.x1 >= 40 && best && best.o >= 0.4) add(`facemask ${l[7]} ${b.x2 - b.x1 >= 60 ? '>= 60 px' : '40-59 px'}`, best.f.u);
    }
  }
  // Adults (18-60), the first 150 of each group in LABELS order; the aligned crops fill the
  // frame edge to edge, where the detector misses the face, so a mirrored border gives it room.
  const taken = new Map<string, number>();
  for (const [path, age, gender, race] of rows('utkface')) {
    if (+age! < 18 || +age! > 60 || (taken.get(race!) ?? 0) >= 150) continue;
    taken.set(race!, (taken.get(race!) ?? 0) + 1);
    const padded = await sharp(readFileSync(join(EVAL, 'utkface', path!))).extend({ top: 60, bottom: 60, left: 60, right: 60, extendWith: 'mirror' }).jpeg({ quality: 95 }).toBuffer();
    const f = (await faces(padded)).filter((x) => x.box.x1 < 160 && x.box.x2 > 160 && x.box.y1 < 160 && x.box.y2 > 160).sort((a, b) => b.box.x2 - b.box.x1 - (a.box.x2 - a.box.x1))[0];
    if (f) {
      add(`utkface race ${race} (LABELS code)`, f.u);
      add(`utkface gender ${gender}`, f.u);
    }
  }
  for (const [path] of rows('compreface_samples')) for (const f of await faces(readFileSync(join(EVAL, 'compreface_samples', path!)))) if (f.box.x2 - f.box.x1 >= 60) add('compreface faces >= 60 px', f.u);
  console.log('| real faces | n | uncovered < 1 | uncovered < 0.5 | mean uncovered |');
  console.log('|---|---:|---:|---:|---:|');
  const pct = (a: number[], p: (x: number) => boolean) => `${((100 * a.filter(p).length) / a.length).toFixed(1)} %`;
  for (const [g, a] of [...groups].sort()) console.log(`| ${g} | ${a.length} | ${pct(a, (x) => x < 1)} | ${pct(a, (x) => x < 0.5)} | ${(a.reduce((x, y) => x + y, 0) / a.length).toFixed(3)} |`);
}

async function main() {
  if (process.env.REAL === '1') {
    const analyzer = await loadRealAnalyzer(1);
    await realPhotos(buildFaceService(defaultConfig(), analyzer));
    await analyzer.close();
    return;
  }
  const labels = readFileSync(join(EVAL, 'lfw', 'LABELS'), 'utf8').trim().split('\n').slice(1 + OFFSET).map((l) => l.split(',')[0]!);
  const analyzer = await loadRealAnalyzer(1);
  const faceService = buildFaceService(defaultConfig(), analyzer);
  if (RAW) writeFileSync(RAW, '');
  // The same steps as PhotoScoring.scoreOne, with the analysis kept for RAW.
  const score = async (rel: string, kind: string, bytes: Buffer) => {
    const { result: r, pixels } = await faceService.detectWithPixels({ bytes }, { attributes: SCORING_ATTRIBUTES, maxFaces: 20 });
    const f = largestFace(r.faces);
    const measures = f ? measurePixels(pixels, r.image, f.box) : undefined;
    if (RAW) appendFileSync(RAW, `${JSON.stringify({ rel, kind, image: r.image, measures, faces: r.faces.map(({ embedding: _e, ...x }) => x) })}\n`);
    return { ...scorePhoto(r.faces, r.image, measures), box: f?.box ?? null };
  };
  const tally = Object.fromEntries(Object.keys(KINDS).map((k) => [k, { lower: 0, n: 0, drops: [] as number[] }]));
  let used = 0, noFace = 0;
  const origScores: number[] = [];
  for (const rel of labels) {
    if (used >= LIMIT) break;
    const img = readFileSync(join(EVAL, 'lfw', rel));
    const orig = await score(rel, 'original', img);
    if (!orig.box) {
      noFace++;
      continue;
    }
    used++;
    origScores.push(orig.score);
    const { width, height } = await sharp(img).metadata();
    for (const [kind, make] of Object.entries(KINDS)) {
      const scored = await score(rel, kind, await make(img, width!, height!, orig.box));
      const t = tally[kind]!;
      if (DUMP && scored.score >= orig.score) {
        const up = Object.entries(scored.parts).map(([k, v]) => `${k} ${(v.points - orig.parts[k as keyof typeof orig.parts].points).toFixed(0)}`).join(' ');
        console.error(`${kind} ${rel} ${orig.score}->${scored.score}: ${up}`);
      }
      t.n++;
      if (scored.score < orig.score) t.lower++;
      t.drops.push(orig.score - scored.score);
    }
  }
  await analyzer.close();
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
  console.log(`LFW photos with a face: ${used} from row ${OFFSET + 1} (skipped without a face: ${noFace}); original score median ${median(origScores)}`);
  console.log('| degradation | pairs | copy scores lower | share | median drop |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [kind, t] of Object.entries(tally)) console.log(`| ${kind} | ${t.n} | ${t.lower} | ${((100 * t.lower) / t.n).toFixed(1)} % | ${median(t.drops)} |`);
  // Counts, not timings, but the machine is shared: say how loaded it was.
  console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
