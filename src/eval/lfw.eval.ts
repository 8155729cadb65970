/**
 * LFW evaluation of a detector + landmarker + embedder: verification on the official View-2
 * pairs (cross-validated over the folds present in pairs.csv), closed- and open-set
 * identification over every identity in LABELS, and the threshold calibration (cosines at each
 * preset's false-accept rate over millions of impostor pairs).
 *
 * A figure at a false-accept rate f needs at least 1/f impostor scores (so that one lies above its
 * threshold); on a small folder (a few hundred pairs, a few identities) such figures are reported
 * as `{ skipped: reason }` and the rest (accuracy, AUC, rank-1) are still computed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { boxArea, type Box, type RgbImage } from '../domain/face.model.js';
import { cosine } from '../domain/similarity.rules.js';
import type { Detection, Embedder, FaceDetector, Landmarker } from '../ports/face-models.port.js';
import { missingSet, skip, type Skipped } from './eval-data.js';
import { aucOf, crossValidatedAccuracy, readCsv, tarAtFar, type ScoredPair } from './verification.metrics.js';
import { calibrate, fmt, resolves } from './impostor-calibration.js';

export interface LfwEvalContext {
  dataDir: string;
  detector: FaceDetector;
  landmarker: Landmarker;
  embedder: Embedder;
  decode: (bytes: Uint8Array) => Promise<RgbImage>;
  log: (msg: string) => void;
  /** Quick runs: at most `limit` pairs (spread over the folds) and the first `limit` identities. */
  limit?: number;
}

export interface LfwEvalResult {
  pairs: number;
  folds: number;
  accuracy: number;
  auc: number | Skipped;
  'tar_at_far_1e-3': number | Skipped;
  rank1: number | Skipped;
  /** Photos where the detector found no face; they were embedded from a fixed centre box. */
  detector_misses: number;
  identities: number;
  probes: number;
  /** Share of probes whose identity is left out of the gallery that still match someone at `medium`. */
  false_match_rate_medium: number | Skipped;
  /** The same at `strict`. */
  false_match_rate_strict: number | Skipped;
  calibration:
    | {
        cosineAt: { strict: number; medium: number; low: number };
        impostor_pairs: number;
        /**
         * Presets are per-comparison FARs, so a search over N identities meets about N impostors:
         * the cosine at which only 1% of unenrolled probes match anyone in this gallery.
         */
        open_set_cosine_1pct: number | Skipped;
        /** ln FAR(cos) ≈ a − b·cos over the impostor tail (SimilarityCalibration.impostorTail). */
        impostorTail: { a: number; b: number };
      }
    | Skipped;
  /**
   * Open-set search as the galleries do it: the presets as false-positive identification rates
   * over the whole gallery (searchThreshold), the share of unenrolled probes matching anyone,
   * and the share of probes whose rank-1 hit is right and above the threshold. In-sample: the
   * tail is fitted on these same impostors.
   */
  open_set:
    | {
        gallery: number;
        search_cosine: { strict: number; medium: number };
        fpir: { strict: number; medium: number };
        rank1_above_threshold: { strict: number; medium: number };
      }
    | Skipped;
  /** Median time of detect + landmarks + embedding for one photo (decode excluded). */
  ms_per_face_p50: number;
}

/**
 * Where LFW's deep-funneled 250x250 photos hold the face, as fractions of the image: used when the
 * detector finds nothing, so every pair is still scored (counted in detector_misses).
 */
const FALLBACK_BOX = { x1: 0.28, y1: 0.24, x2: 0.72, y2: 0.76 };

/** LFW photos are centred on the labelled face: prefer a box holding the centre, largest first. */
export function pickCentralFace(dets: Detection[], width: number, height: number): Detection | undefined {
  const cx = width / 2;
  const cy = height / 2;
  const holding = dets.filter((d) => d.box.x1 <= cx && cx <= d.box.x2 && d.box.y1 <= cy && cy <= d.box.y2);
  if (holding.length > 0) return holding.reduce((a, b) => (boxArea(b.box) > boxArea(a.box) ? b : a));
  const dist = (b: Box) => Math.hypot((b.x1 + b.x2) / 2 - cx, (b.y1 + b.y2) / 2 - cy);
  return dets.reduce<Detection | undefined>((a, b) => (a === undefined || dist(b.box) < dist(a.box) ? b : a), undefined);
}

export async function evalLfw(ctx: LfwEvalContext): Promise<LfwEvalResult | Skipped> {
  const { dataDir, log } = ctx;
  const dir = join(dataDir, 'lfw');
  const missing = missingSet(dataDir, 'lfw');
  if (missing) return skip(log, 'lfw', missing);
  const labels = (await readCsv(join(dir, 'LABELS'))).map((r) => ({ path: r.path!, identity: r.identity! }));
  const pairRows = await readCsv(join(dir, 'pairs.csv'));
  if (labels.length === 0 || pairRows.length === 0) return skip(log, 'lfw', `lfw/LABELS or lfw/pairs.csv has no rows in ${dataDir}`);

  // Pairs, optionally the first ⌈limit / folds⌉ of each fold (same and different pairs alternate
  // by blocks in the official file, so take from both halves of each fold).
  const byFold = new Map<number, { a: string; b: string; same: boolean }[]>();
  for (const r of pairRows) {
    const f = Number(r.fold);
    if (!byFold.has(f)) byFold.set(f, []);
    byFold.get(f)!.push({ a: r.path_a!, b: r.path_b!, same: r.same === '1' });
  }
  const foldIds = [...byFold.keys()].sort((x, y) => x - y);
  const pairs: { fold: number; a: string; b: string; same: boolean }[] = [];
  for (const f of foldIds) {
    let list = byFold.get(f)!;
    if (ctx.limit !== undefined) {
      const per = Math.max(2, Math.ceil(ctx.limit / foldIds.length));
      const same = list.filter((p) => p.same).slice(0, per / 2);
      const diff = list.filter((p) => !p.same).slice(0, per / 2);
      list = [...same, ...diff];
    }
    for (const p of list) pairs.push({ fold: f, ...p });
  }

  // Identification set: every identity in LABELS (or the first `limit`), photos in LABELS order.
  const idOrder: string[] = [];
  const photosOf = new Map<string, string[]>();
  for (const l of labels) {
    if (!photosOf.has(l.identity)) {
      photosOf.set(l.identity, []);
      idOrder.push(l.identity);
    }
    photosOf.get(l.identity)!.push(l.path);
  }
  const ids = ctx.limit !== undefined ? idOrder.slice(0, ctx.limit) : idOrder;

  // Embed each photo once.
  const cache = new Map<string, Float32Array>();
  const times: number[] = [];
  let misses = 0;
  const embed = async (path: string): Promise<Float32Array> => {
    const hit = cache.get(path);
    if (hit) return hit;
    const image = await ctx.decode(await readFile(join(dir, path)));
    const t0 = performance.now();
    const dets = await ctx.detector.detect(image, { minFaceSize: 20 });
    let det = pickCentralFace(dets, image.width, image.height);
    if (!det) {
      misses++;
      const { width: w, height: h } = image;
      det = { box: { x1: FALLBACK_BOX.x1 * w, y1: FALLBACK_BOX.y1 * h, x2: FALLBACK_BOX.x2 * w, y2: FALLBACK_BOX.y2 * h }, score: 0 };
    }
    const landmarks = await ctx.landmarker.locate(image, det);
    const v = await ctx.embedder.embed(image, landmarks);
    times.push(performance.now() - t0);
    cache.set(path, v);
    if (cache.size % 1000 === 0) log(`lfw: ${cache.size} photos embedded`);
    return v;
  };

  const scored: ScoredPair[] = [];
  for (const p of pairs) scored.push({ fold: p.fold, same: p.same, score: cosine(await embed(p.a), await embed(p.b)) });
  const accuracy = crossValidatedAccuracy(scored);
  const nSame = scored.filter((p) => p.same).length;
  const nDiff = scored.length - nSame;
  const auc = nSame && nDiff ? aucOf(scored) : skip(log, 'lfw/auc', `needs same and different pairs, has ${nSame} same and ${nDiff} different`);
  const tar = resolves(1e-3, nDiff) ? tarAtFar(scored, 1e-3) : skip(log, 'lfw/tar_at_far_1e-3', `needs ≥ 1,000 different pairs, has ${nDiff}`);
  log(`lfw: ${scored.length} pairs, accuracy ${accuracy.toFixed(4)}, AUC ${fmt(auc, 5)}, TAR@1e-3 ${fmt(tar, 4)}`);

  // Gallery: first photo of every identity; probes: the other photos.
  const gallery: { id: number; v: Float32Array }[] = [];
  const probes: { id: number; v: Float32Array }[] = [];
  for (let i = 0; i < ids.length; i++) {
    const photos = photosOf.get(ids[i]!)!;
    gallery.push({ id: i, v: await embed(photos[0]!) });
    for (const p of photos.slice(1)) probes.push({ id: i, v: await embed(p) });
  }
  const dim = gallery[0]!.v.length;
  const G = new Float32Array(gallery.length * dim);
  gallery.forEach((g, i) => G.set(g.v, i * dim));

  // Every probe against every gallery entry: rank-1 (closed set), the best impostor score per
  // probe (open set: the probe's identity left out) and all impostor scores (calibration).
  const impostors = new Float32Array(probes.length * (gallery.length - 1));
  let n = 0;
  let correct = 0;
  const bestImpostor = new Float32Array(probes.length);
  // The top score when it is the right identity (rank-1 hit), else −∞: rank-1 above a threshold.
  const bestGenuine = new Float32Array(probes.length);
  const row = new Float32Array(gallery.length);
  probes.forEach((p, pi) => {
    scoreRow(G, dim, p.v, row);
    let best = -Infinity;
    let bestId = -1;
    let bestImp = -Infinity;
    for (let g = 0; g < row.length; g++) {
      const s = row[g]!;
      if (s > best) {
        best = s;
        bestId = gallery[g]!.id;
      }
      if (gallery[g]!.id !== p.id) {
        impostors[n++] = s;
        if (s > bestImp) bestImp = s;
      }
    }
    if (bestId === p.id) correct++;
    bestImpostor[pi] = bestImp;
    bestGenuine[pi] = bestId === p.id ? best : -Infinity;
  });
  const rank1 = probes.length ? correct / probes.length : skip(log, 'lfw/rank1', 'no identity in LABELS has two or more photos');
  log(`lfw: rank-1 ${fmt(rank1, 4)} over ${probes.length} probes, ${gallery.length} identities; detector misses ${misses}`);
  const calibrated = calibrate(impostors.subarray(0, n), bestImpostor, bestGenuine, gallery.length, log);
  times.sort((a, b) => a - b);
  return {
    pairs: scored.length,
    folds: foldIds.length,
    accuracy,
    auc,
    'tar_at_far_1e-3': tar,
    rank1,
    detector_misses: misses,
    identities: gallery.length,
    probes: probes.length,
    ...calibrated,
    ms_per_face_p50: times.length ? times[Math.floor(times.length / 2)]! : 0,
  };
}


function scoreRow(G: Float32Array, dim: number, v: Float32Array, out: Float32Array): void {
  for (let g = 0, o = 0; g < out.length; g++, o += dim) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += G[o + i]! * v[i]!;
    out[g] = s;
  }
}
