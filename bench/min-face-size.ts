/**
 * Recall and precision of the detector at several min_face_size values (not a test), to choose
 * the native API's default (config defaultMinFaceSize). The detector runs once per photo with no
 * size limit, through the server's own decoder (analysis cap included), and boxes are measured
 * in the photo's own pixels, as FaceService filters them; each size is then a filter on those.
 *
 * - facemask_boxes, dlib_faces: labelled boxes, matched by centres (src/eval/detection.eval.ts);
 *   recall over every labelled face, precision over the detections as wide as the size.
 * - compreface_samples, as sent and shrunk to 800 px on the long side (the issue's case): a
 *   detection is right when it holds one labelled nose point not taken by a better detection.
 *
 *   node --import tsx bench/min-face-size.ts            SIZES=1,6,8,10,12,16,20,24,32,40,50  LIMIT=n
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { SharpDecoder } from '../src/adapters/image/sharp-decoder.adapter.js';
import { RfbDetector } from '../src/adapters/onnx/rfb-detector.adapter.js';
import { defaultConfig } from '../src/config/config.loader.js';
import { boxWidth, type Box } from '../src/domain/face.model.js';
import { scaleOf } from '../src/domain/face-scale.rules.js';
import { DetectionTally, readLabels, selectImages, type LabelledImage } from '../src/eval/detection.eval.js';

const dataDir = process.env.EVAL_DIR ?? '../shared/eval';
const SIZES = (process.env.SIZES ?? '1,6,8,10,12,16,20,24,32,40,50').split(',').map(Number);
const limit = process.env.LIMIT ? Number(process.env.LIMIT) : undefined;
const config = defaultConfig();
const decoder = new SharpDecoder({ maxPixels: config.maxPixels, maxAnalysisSide: config.maxAnalysisSide });
const detector = await RfbDetector.load();

type Det = { box: Box; score: number };

/** Detections of a photo in its own pixels, with no size limit. */
async function detectAll(bytes: Uint8Array): Promise<Det[]> {
  const image = await decoder.decode(bytes);
  const { sx, sy } = scaleOf(image);
  const dets = await detector.detect(image, { minFaceSize: 0 });
  return dets.map((d) => ({ score: d.score, box: { x1: d.box.x1 * sx, y1: d.box.y1 * sy, x2: d.box.x2 * sx, y2: d.box.y2 * sy } }));
}

const pct = (x: number) => (100 * x).toFixed(1).padStart(5);

async function boxedSet(name: string, kind: 'facemask' | 'dlib'): Promise<void> {
  const dir = join(dataDir, name);
  const images: LabelledImage[] = selectImages(readLabels(dir, kind), { limit });
  const all: { img: LabelledImage; dets: Det[] }[] = [];
  for (const img of images) all.push({ img, dets: await detectAll(new Uint8Array(readFileSync(join(dir, img.path)))) });
  const faces = all.reduce((n, a) => n + a.img.faces.filter((f) => !f.ignore).length, 0);
  console.log(`\n${name}: ${images.length} photos, ${faces} labelled faces`);
  console.log('min_face_size | recall | precision | detections | false | precision of the detections from this size to the next');
  const tallies = SIZES.map((size) => {
    const t = new DetectionTally();
    for (const { img, dets } of all) t.addImage(img.faces, dets.filter((d) => boxWidth(d.box) >= size));
    return t;
  });
  tallies.forEach((t, i) => {
    const dets = t.get('centre:dets');
    const next = tallies[i + 1];
    // Detections in [size, next size): a detection's match does not depend on the others kept
    // here except through greedy order, so the difference of two tallies is close to exact.
    const bandDets = dets - (next?.get('centre:dets') ?? 0);
    const bandTps = t.get('centre:tps') - (next?.get('centre:tps') ?? 0);
    const band = bandDets > 0 ? `${pct(bandTps / bandDets)}% of ${bandDets}` : '-';
    console.log(`${String(SIZES[i]).padStart(13)} | ${pct(t.ratio('centre:hits', 'centre:faces'))}% | ${pct(t.ratio('centre:tps', 'centre:dets'))}% | ${String(dets).padStart(10)} | ${String(dets - t.get('centre:tps')).padStart(5)} | ${band}`);
  });
}

/** compreface_samples: labelled counts and nose points; `side` shrinks each photo to that long side first. */
async function comprefaceSet(side: number | null): Promise<void> {
  const dir = join(dataDir, 'compreface_samples');
  const rows = readFileSync(join(dir, 'LABELS'), 'utf8').trim().split(/\r?\n/).slice(1);
  const photos: { path: string; noses: { x: number; y: number }[]; dets: Det[] }[] = [];
  for (const row of rows.slice(0, limit)) {
    const [path, , points = ''] = row.split(',');
    let bytes: Uint8Array = new Uint8Array(readFileSync(join(dir, path!)));
    let noses = points.split(';').filter(Boolean).map((p) => ({ x: Number(p.split(':')[0]), y: Number(p.split(':')[1]) }));
    if (side) {
      const meta = await sharp(bytes).rotate().metadata();
      const long = Math.max(meta.autoOrient?.width ?? meta.width!, meta.autoOrient?.height ?? meta.height!);
      const f = side / long;
      bytes = new Uint8Array(await sharp(bytes).rotate().resize({ width: side, height: side, fit: 'inside' }).jpeg({ quality: 90 }).toBuffer());
      noses = noses.map((n) => ({ x: n.x * f, y: n.y * f }));
    }
    photos.push({ path: path!, noses, dets: await detectAll(bytes) });
  }
  const faces = photos.reduce((n, p) => n + p.noses.length, 0);
  console.log(`\ncompreface_samples${side ? ` shrunk to ${side} px` : ' as sent'}: ${photos.length} photos, ${faces} labelled faces`);
  console.log('min_face_size | recall | precision | detections | false | photos with every face');
  for (const size of SIZES) {
    let hits = 0, dets = 0, complete = 0;
    for (const p of photos) {
      const kept = p.dets.filter((d) => boxWidth(d.box) >= size).sort((a, b) => b.score - a.score);
      const taken = p.noses.map(() => false);
      let found = 0;
      for (const d of kept) {
        const i = p.noses.findIndex((n, k) => !taken[k] && n.x >= d.box.x1 && n.x <= d.box.x2 && n.y >= d.box.y1 && n.y <= d.box.y2);
        if (i >= 0) (taken[i] = true), found++;
      }
      hits += found;
      dets += kept.length;
      if (found === p.noses.length) complete++;
    }
    console.log(`${String(size).padStart(13)} | ${pct(hits / faces)}% | ${pct(dets ? hits / dets : 0)}% | ${String(dets).padStart(10)} | ${String(dets - hits).padStart(5)} | ${complete}/${photos.length}`);
  }
  if (side) {
    const widths = photos.flatMap((p) => p.dets.map((d) => boxWidth(d.box))).sort((a, b) => a - b);
    console.log(`face widths at ${side} px: ${widths.map((w) => w.toFixed(0)).join(' ')}`);
  }
}

await boxedSet('facemask_boxes', 'facemask');
await boxedSet('dlib_faces', 'dlib');
await comprefaceSet(null);
await comprefaceSet(800);
await detector.close();
