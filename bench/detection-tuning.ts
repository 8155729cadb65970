/**
 * Tuning sweep for the RFB detector (not a test). Runs every look (whole frame at several long
 * sides, plain and mirrored) once per photo at a low score floor, caches the per-pass detections,
 * then tries merge rules, score thresholds and box corrections offline: chosen on the even half
 * of facemask_boxes, confirmed on the odd half.
 *
 *   LIMIT=100 node --import tsx bench/detection-tuning.ts
 *   EARLY=0.9:32:0.4,0.8:32   also: the first combo with early exit after its first pass when
 *                             that pass is sure (every candidate scoring ≥ q, default 0, scores ≥ s
 *                             and is ≥ w input px wide; s:w:q; rfb-detector's earlyExit)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SharpDecoder } from '../src/adapters/image/sharp-decoder.adapter.js';
import { correctRfbBox, isSure, RfbDetector } from '../src/adapters/onnx/rfb-detector.adapter.js';
import { DetectionTally, readLabels, selectImages, type LabelledImage } from '../src/eval/detection.eval.js';
import { fuseVotes, nms, type FusionOptions, type PassDetections, type ScoredBox } from '../src/domain/nms.rules.js';

const dataDir = process.env.EVAL_DIR ?? '../shared/eval';
const decoder = new SharpDecoder({ maxPixels: 100e6 });
const limit = process.env.LIMIT ? Number(process.env.LIMIT) : undefined;
const SIDES = (process.env.SIDES ?? '320,480,640').split(',').map(Number);
const FLOOR = 0.2;

const fmDir = join(dataDir, 'facemask_boxes');
const images: LabelledImage[] = selectImages(readLabels(fmDir, 'facemask'), { limit });
/** passes[image] = Map key `${side}${f?'f':''}` → detections */
const passes: Map<string, PassDetections>[] = images.map(() => new Map());
const sizes: { width: number; height: number }[] = [];
const pixelsCache = [];
for (const img of images) pixelsCache.push(await decoder.decode(new Uint8Array(readFileSync(join(fmDir, img.path)))));
for (const side of SIDES) {
  const det = await RfbDetector.load({ longSides: [side], flip: true, maxUpscale: 4 });
  const t0 = performance.now();
  for (let i = 0; i < images.length; i++) {
    const px = pixelsCache[i]!;
    sizes[i] = { width: px.width, height: px.height };
    const [plain, flipped] = await det.detectPasses(px, FLOOR);
    passes[i]!.set(`${side}`, plain!);
    passes[i]!.set(`${side}f`, flipped!);
  }
  console.log(`side ${side} (plain + mirrored): ${((performance.now() - t0) / images.length).toFixed(1)} ms/image`);
  await det.close();
}

type Merge = (ps: PassDetections[]) => ScoredBox[];
const nmsMerge = (iouT: number): Merge => (ps) => nms(ps.flatMap((p) => p.boxes), iouT);
const voteMerge = (o: FusionOptions): Merge => (ps) => nms(fuseVotes(ps, o), 0.3);

function score(idx: number[], keys: string[], merged: ScoredBox[][], thr: number, shiftDown: number, grow: number) {
  const t = new DetectionTally();
  for (const i of idx) {
    const dets = merged[i]!.filter((d) => d.score >= thr).map((d) => ({ score: d.score, box: correctRfbBox(d.box, { shiftDown, grow }, sizes[i]!) }));
    t.addImage(images[i]!.faces, dets);
  }
  void keys;
  return {
    r: t.ratio('centre:hits', 'centre:faces'),
    p: t.ratio('centre:tps', 'centre:dets'),
    r32: t.ratio('centre:hits_ge32', 'centre:faces_ge32'),
    rnm: t.ratio('centre:hits_without_mask', 'centre:faces_without_mask'),
    ri: t.ratio('iou50:hits', 'iou50:faces'),
    pi: t.ratio('iou50:tps', 'iou50:dets'),
  };
}

const f3 = (x: number) => x.toFixed(3);
const THRESHOLDS = Array.from({ length: 79 }, (_, k) => 0.2 + k * 0.01);
const even = images.map((_, i) => i).filter((i) => i % 2 === 0);
const odd = images.map((_, i) => i).filter((i) => i % 2 === 1);

const combos: string[][] = JSON.parse(process.env.COMBOS ?? '[["320"],["320","480"],["320","320f"],["320","320f","480","480f"],["320","480","640"],["320","320f","480","480f","640","640f"],["480","480f"],["320","320f","640","640f"]]');
const VOTES: [number, number][] = JSON.parse(process.env.VOTES ?? '[[0.3,0],[0.3,8],[0.4,8],[0.3,12]]');
const merges: [string, Merge][] = [
  ['nms0.3', nmsMerge(0.3)],
  ...VOTES.map(([iouT, minIn]): [string, Merge] => [`vote(${iouT},${minIn})`, voteMerge({ iou: iouT, minInput: minIn, maxInput: Infinity })]),
];
const SHIFTS = (process.env.SHIFTS ?? '0.1').split(',').map(Number);
const GROWS = (process.env.GROWS ?? '1').split(',').map(Number);
const EARLY = (process.env.EARLY ?? '').split(',').filter(Boolean).map((e) => e.split(':').map(Number));
// [score, minInput, ignoreBelow]: the detector's own rule (rfb-detector's earlyExit, isSure).
const sure = (p: PassDetections, [score = 0, minInput = 0, ignoreBelow = 0]: number[]) => isSure(p, { score, minInput, ignoreBelow });
for (const e of EARLY) {
  const keys = combos[0]!;
  const vote = voteMerge({ iou: VOTES[0]![0], minInput: VOTES[0]![1], maxInput: Infinity });
  let exits = 0;
  const merged = images.map((_, i) => {
    const first = passes[i]!.get(keys[0]!)!;
    if (sure(first, e)) {
      exits++;
      return vote([first]);
    }
    return vote(keys.map((k) => passes[i]!.get(k)!));
  });
  const thr = Number(process.env.THR ?? 0.53);
  const ev = score(even, keys, merged, thr, SHIFTS[0]!, GROWS[0]!);
  const od = score(odd, keys, merged, thr, SHIFTS[0]!, GROWS[0]!);
  console.log(`early ${e.join(':')} on ${keys.join('+')} thr ${thr}: ${exits}/${images.length} exit | even r ${f3(ev.r)} p ${f3(ev.p)} r32 ${f3(ev.r32)} | odd r ${f3(od.r)} p ${f3(od.p)} r32 ${f3(od.r32)}`);
}
for (const keys of combos) {
  for (const [name, merge] of merges) for (const SHIFT of SHIFTS) for (const GROW of GROWS) {
    if (keys.length === 1 && name !== 'nms0.3') continue;
    const merged = images.map((_, i) => merge(keys.map((k) => passes[i]!.get(k)!)));
    let best: { thr: number; r: number } | null = null;
    for (const thr of THRESHOLDS) {
      const s = score(even, keys, merged, thr, SHIFT, GROW);
      if (s.p >= 0.905 && (!best || s.r > best.r)) best = { thr, r: s.r };
    }
    if (!best) continue;
    const e = score(even, keys, merged, best.thr, SHIFT, GROW);
    const o = score(odd, keys, merged, best.thr, SHIFT, GROW);
    console.log(`${keys.join('+').padEnd(26)} ${name.padEnd(14)} s${SHIFT} g${GROW} thr ${best.thr.toFixed(2)}: even r ${f3(e.r)} p ${f3(e.p)} r32 ${f3(e.r32)} rnm ${f3(e.rnm)} iou ${f3(e.ri)}/${f3(e.pi)} | odd r ${f3(o.r)} p ${f3(o.p)} r32 ${f3(o.r32)} rnm ${f3(o.rnm)} iou ${f3(o.ri)}/${f3(o.pi)}`);
  }
}
