/**
 * Face detector over fr_detect.onnx (RFB-320, an SSD-style detector with 4 feature maps).
 * Each photo gets the whole-frame passes (and tiles when huge) planned in rfb-pass.plan.ts; one
 * session of the graph rewritten to take any input size (rfb-graph.rewrite.ts) runs them all, and
 * the box regressions are decoded against the priors of each size (ssd-box.decode.ts, priors
 * cached per size). Detections of all passes are merged by score voting. Preprocessing as the
 * package's own JS: RGB, (x − 127) / 128, the region stretched onto the input.
 */
import { boxWidth, type Box, type RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import { fuseVotes, nms, type FusionOptions, type PassDetections, type ScoredBox } from '../../domain/nms.rules.js';
import type { DetectOptions, Detection, FaceDetector } from '../../ports/face-models.port.js';
import { boxDownsample } from '../image/box-downsample.js';
import { boxToAffine, warpToTensor } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';
import { RFB_OUTPUTS, rfbAnySizeGraph } from './rfb-graph.rewrite.js';
import { planPasses, type RfbPass, type RfbPassOptions } from './rfb-pass.plan.js';
import { decodeSsdOutput, ssdPriors } from './ssd-box.decode.js';

export interface RfbDetectorOptions extends RfbPassOptions {
  /** Default score threshold when the caller gives none. */
  scoreThreshold: number;
  /** IoU above which the lower-scoring of two detections is dropped. */
  nmsIou: number;
  /** Score voting across passes (nms.rules.ts fuseVotes); null: plain NMS over all passes. */
  fusion: FusionOptions | null;
  /**
   * Box correction in units of the raw box's height/width: RFB boxes sit high and tight on the
   * face (brow to lips); shiftDown moves the box down, grow scales it about its new centre.
   */
  shiftDown: number;
  grow: number;
  /**
   * Coarse to fine: stop after the first pass (the smallest plain look) when it leaves no doubt:
   * it saw at least one face, and every candidate scoring at least `ignoreBelow` scores at least
   * `score` and is at least `minInput` input pixels wide. A doubtful candidate (between
   * `ignoreBelow` and `score`, or small), or none at all, and the photo gets every pass.
   * Candidates under `ignoreBelow` (a few pixels of texture at 0.2–0.4, which big photos are full
   * of) never reached the final threshold on the tuning photos. null: always every pass. Stopping
   * after the mirrored look too measured no better (docs/accuracy.md, "Coarse to fine").
   *
   * `plainLooks`, a second chance: when the first look was not sure, the plain look at every
   * scale runs before any mirrored one, and the photo stops there when the merge of the plain
   * looks is sure: every merged candidate scoring at least its `ignoreBelow` scores at least its
   * `score` (no size rule: the larger look has seen the small faces). null: no second chance.
   */
  earlyExit: {
    score: number;
    minInput: number;
    ignoreBelow: number;
    plainLooks: { score: number; ignoreBelow: number } | null;
  } | null;
}

/**
 * Tuned on the even half of facemask_boxes, confirmed on the odd half (bench/detection-tuning.ts):
 * two scales, each plain and mirrored, merged by score voting, beat one pass by ~10 points of
 * recall at the same precision; the 0.1·h shift moves RFB's brow-to-lips box over the whole face.
 */
export const RFB_DEFAULTS: RfbDetectorOptions = {
  scoreThreshold: 0.53,
  nmsIou: 0.3,
  longSides: [320, 480],
  maxUpscale: 2,
  flip: true,
  fusion: { iou: 0.25, minInput: 0, maxInput: Infinity },
  tiles: null,
  shiftDown: 0.1,
  grow: 1,
  earlyExit: { score: 0.9, minInput: 32, ignoreBelow: 0.4, plainLooks: { score: 0.9, ignoreBelow: 0.3 } },
};

const SPEC = { colour: 'RGB', mean: 127, std: 128 } as const;
/**
 * Per-pass score floor: lower priors are not decoded. Voting needs each pass's weaker sightings
 * too (a face at 0.4 in one look and 0.9 in three others is a face), so it sits well below the
 * final threshold; callers asking for less than this get at least this.
 */
const FLOOR_SCORE = 0.2;

/**
 * Candidates below the score threshold are counted as dropped faces (DetectOptions.dropped) from
 * this score up: on facemask_boxes about half the merged candidates in [0.4, 0.53) are faces,
 * a third in [0.3, 0.4) and a fifth below (docs/accuracy.md, "Minimum face size").
 */
const COUNT_FLOOR_SCORE = 0.4;

/** Input sizes whose priors are kept (a few kB to 100 kB each); photos meet a few dozen sizes. */
const PRIOR_CACHE = 64;

export class RfbDetector implements FaceDetector {
  readonly info: ModelInfo;
  private readonly priors = new Map<string, ReturnType<typeof ssdPriors>>();

  private constructor(
    private readonly session: OrtSession,
    readonly options: RfbDetectorOptions,
  ) {
    this.info = {
      id: 'rfb-320',
      version: '1',
      source: { package: `${MODEL_FILES.frDetect.package}@${MODEL_FILES.frDetect.version}`, file: MODEL_FILES.frDetect.file, licence: MODEL_FILES.frDetect.licence },
      input: {
        // The graph's native size; each photo is run at sizes chosen from its own (see normalisation).
        shape: [3, 240, 320],
        colour: 'RGB',
        normalisation:
          `(x - 127) / 128, photo stretched to inputs of long side ${options.longSides.join(' and ')} px (multiples of 32)${options.flip ? ', plain and mirrored' : ''}` +
          (options.earlyExit ? `; the first look alone when every candidate it scores ≥ ${options.earlyExit.ignoreBelow} is a face scoring ≥ ${options.earlyExit.score} and ≥ ${options.earlyExit.minInput} px wide` : '') +
          (options.earlyExit?.plainLooks ? `, else the plain looks alone when every candidate they score ≥ ${options.earlyExit.plainLooks.ignoreBelow} together scores ≥ ${options.earlyExit.plainLooks.score}` : ''),
      },
    };
  }

  static async load(options: Partial<RfbDetectorOptions> = {}): Promise<RfbDetector> {
    const graph = rfbAnySizeGraph(readVerifiedModelFile(MODEL_FILES.frDetect));
    return new RfbDetector(await createSession(graph), { ...RFB_DEFAULTS, ...options });
  }

  async detect(image: RgbImage, options: DetectOptions): Promise<Detection[]> {
    const threshold = options.scoreThreshold ?? this.options.scoreThreshold;
    const passes = await this.detectPasses(image, FLOOR_SCORE, this.options.earlyExit);
    const out: Detection[] = [];
    const dropped = options.dropped;
    // A handful of merged candidates per photo: counting them costs one comparison each.
    const countFrom = Math.min(threshold, COUNT_FLOOR_SCORE);
    for (const d of this.merge(passes)) {
      if (d.score < threshold && (!dropped || d.score < countFrom)) continue;
      const box = correctRfbBox(d.box, this.options, image);
      const narrow = boxWidth(box) < options.minFaceSize;
      if (d.score < threshold) {
        if (!narrow) dropped!.scoreThreshold++;
        continue;
      }
      if (narrow) {
        if (dropped) dropped.minFaceSize++;
        continue;
      }
      out.push({ box, score: d.score });
    }
    return out;
  }

  /** The passes' detections merged (score voting, or plain NMS without fusion), best first. */
  private merge(passes: PassDetections[]): ScoredBox[] {
    const merged = this.options.fusion ? fuseVotes(passes, this.options.fusion) : nms(passes.flatMap((p) => p.boxes), this.options.nmsIou);
    return nms(merged, this.options.nmsIou);
  }

  /**
   * Every pass's own detections (after per-pass NMS) at scores ≥ floor, before merging (also for
   * tuning), in plan order; with `earlyExit`, only the passes that ran before it was sure
   * (RfbDetectorOptions).
   */
  async detectPasses(image: RgbImage, floor: number, earlyExit: RfbDetectorOptions['earlyExit'] = null): Promise<PassDetections[]> {
    const plan = planPasses(image.width, image.height, this.options);
    const whole: Box = { x1: 0, y1: 0, x2: image.width, y2: image.height };
    // Whole-frame passes start from one shared shrink, the mildest any of them needs, made once
    // from the photo (on a 36 MP photo the box filter is most of the detector's time); each pass
    // then shrinks that further if it must. Tiles read the photo itself. (Shrinking for the first
    // pass alone, in case it is the only one, measured slower over the bench's photos.)
    const mildest = Math.min(...plan.filter((p) => isWhole(p.region, image)).map((p) => shrinkFactor(p.region, p)));
    const base = Number.isFinite(mildest) && mildest >= 2 ? shrink(image, whole, mildest) : { image, region: whole };
    const plainTensors = new Map<string, Float32Array>(); // for the mirrored looks (runPass)
    // With the second chance, the plain whole-frame looks run first; results stay in plan order,
    // so a photo that takes every look is merged exactly as before.
    const indices = plan.map((_, i) => i);
    const plainWhole = indices.filter((i) => !plan[i]!.flip && isWhole(plan[i]!.region, image));
    const order = earlyExit?.plainLooks ? [...plainWhole, ...indices.filter((i) => !plainWhole.includes(i))] : indices;
    const results: (PassDetections | undefined)[] = [];
    const done = () => results.filter((r): r is PassDetections => r !== undefined);
    for (const [k, i] of order.entries()) {
      const pass = plan[i]!;
      const from = isWhole(pass.region, image) ? base : { image, region: pass.region };
      const scale = pass.width / (pass.region.x2 - pass.region.x1);
      results[i] = { boxes: await this.runPass(from, pass, floor, plainTensors), region: pass.region, scale };
      if (!earlyExit || k === order.length - 1) continue;
      if (k === 0 && isSure(results[i]!, earlyExit)) break;
      const second = earlyExit.plainLooks;
      if (second && k > 0 && k === plainWhole.length - 1 && mergedIsSure(this.merge(done()), second)) break;
    }
    return done();
  }

  /** Closes the session. */
  async close(): Promise<void> {
    await this.session.release();
  }

  /**
   * One pass over `from` (an image and the pass's region in its pixels). A mirrored pass of the
   * same input size and source reuses the plain pass's tensor with its rows reversed: the
   * mirrored affine samples column x where the plain one samples column W−1−x.
   */
  private async runPass(from: Shrunk, pass: RfbPass, threshold: number, plainTensors: Map<string, Float32Array>): Promise<ScoredBox[]> {
    const { width, height } = pass;
    const factor = shrinkFactor(from.region, pass);
    const { image: src, region: r } = factor >= 2 ? shrink(from.image, from.region, factor) : from;
    const key = `${width}x${height}:${r.x1},${r.y1},${r.x2},${r.y2}`;
    const plain = pass.flip ? plainTensors.get(key) : undefined;
    let tensor: Float32Array;
    if (plain && src === from.image) {
      // The plain pass has run, so its tensor is mirrored where it lies (no copy, no garbage).
      plainTensors.delete(key);
      tensor = mirrorRows(plain, width);
    } else {
      const m = boxToAffine(r, width, height);
      if (pass.flip) {
        // Tensor column x samples source column r.x2 − (x + 0.5)·sx − 0.5 (mirror of boxToAffine).
        m[2] = r.x2 - 0.5 * m[0] - 0.5;
        m[0] = -m[0];
      }
      tensor = warpToTensor(src, m, { width, height, ...SPEC });
      if (!pass.flip && src === from.image) plainTensors.set(key, tensor);
    }
    const out = await runSession(this.session, tensor, [1, 3, height, width]);
    const decoded = decodeSsdOutput(out[RFB_OUTPUTS.scores]!, out[RFB_OUTPUTS.regressions]!, this.priorsFor(width, height), pass.region, threshold, pass.flip);
    return nms(decoded, this.options.nmsIou);
  }

  private priorsFor(width: number, height: number): ReturnType<typeof ssdPriors> {
    const key = `${width}x${height}`;
    let p = this.priors.get(key);
    if (!p) {
      p = ssdPriors(width, height);
      if (this.priors.size >= PRIOR_CACHE) this.priors.delete(this.priors.keys().next().value!);
      this.priors.set(key, p);
    }
    return p;
  }
}

/**
 * The box correction: centre moved down by shiftDown·h, then width and height scaled by grow,
 * clipped to the image.
 */
export function correctRfbBox(b: Box, o: Pick<RfbDetectorOptions, 'shiftDown' | 'grow'>, image: { width: number; height: number }): Box {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2 + o.shiftDown * h;
  const hw = (w * o.grow) / 2;
  const hh = (h * o.grow) / 2;
  return {
    x1: Math.max(0, cx - hw),
    y1: Math.max(0, cy - hh),
    x2: Math.min(image.width, cx + hw),
    y2: Math.min(image.height, cy + hh),
  };
}

/** The pass saw faces, and every candidate worth a second look is a confident, large enough face. */
export function isSure(pass: PassDetections, e: Pick<NonNullable<RfbDetectorOptions['earlyExit']>, 'score' | 'minInput' | 'ignoreBelow'>): boolean {
  const seen = pass.boxes.filter((b) => b.score >= e.ignoreBelow);
  return seen.length > 0 && seen.every((b) => b.score >= e.score && (b.box.x2 - b.box.x1) * pass.scale >= e.minInput);
}

/** The merged candidates include a face, and every one worth a further look is a confident face. */
function mergedIsSure(merged: ScoredBox[], e: { score: number; ignoreBelow: number }): boolean {
  const seen = merged.filter((b) => b.score >= e.ignoreBelow);
  return seen.length > 0 && seen.every((b) => b.score >= e.score);
}

/** An image and a region in its pixels. */
interface Shrunk {
  image: RgbImage;
  region: Box;
}

const isWhole = (r: Box, img: RgbImage) => r.x1 === 0 && r.y1 === 0 && r.x2 === img.width && r.y2 === img.height;

/**
 * Whole-factor shrink f = ⌊ratio / 1.5⌋ a region needs before bilinear sampling onto the pass's
 * input (ratio = region side / input side): one from 3x on, after which bilinear covers the
 * remaining ratio / f, between 1.5x and 2.25x.
 */
function shrinkFactor(region: Box, pass: { width: number; height: number }): number {
  return Math.floor(Math.min((region.x2 - region.x1) / pass.width, (region.y2 - region.y1) / pass.height) / 1.5);
}

/** Box-filters `region` of `img` by `factor`, returning the region in the shrunk crop's pixels. */
function shrink(img: RgbImage, region: Box, factor: number): Shrunk {
  const x1 = Math.floor(region.x1), y1 = Math.floor(region.y1);
  const x2 = Math.ceil(region.x2), y2 = Math.ceil(region.y2);
  const image = boxDownsample(cropImage(img, x1, y1, x2 - x1, y2 - y1), factor);
  // The crop's last partial block is dropped.
  return {
    image,
    region: {
      x1: (region.x1 - x1) / factor,
      y1: (region.y1 - y1) / factor,
      x2: Math.min((region.x2 - x1) / factor, image.width),
      y2: Math.min((region.y2 - y1) / factor, image.height),
    },
  };
}

/** Mirrors a C×H×W tensor left-right in place (reverses every row of `width` values). */
function mirrorRows(t: Float32Array, width: number): Float32Array {
  for (let o = 0; o < t.length; o += width) t.subarray(o, o + width).reverse();
  return t;
}

function cropImage(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  if (x === 0 && y === 0 && w === img.width && h === img.height) return img;
  const data = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * img.width + x) * 3;
    data.set(img.data.subarray(from, from + w * 3), row * w * 3);
  }
  return { width: w, height: h, data };
}
