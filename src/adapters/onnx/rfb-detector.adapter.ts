/**
 * Face detector over fr_detect.onnx (RFB-320, an SSD-style detector with 4 feature maps).
 * Each photo gets the whole-frame passes (and tiles when huge) planned in rfb-pass.plan.ts; the
 * graph is rewritten per input size (rfb-graph.rewrite.ts) and its sessions cached. Detections
 * of all passes are merged by NMS. Preprocessing as the package's own JS: RGB, (x − 127) / 128,
 * the region stretched onto the input.
 */
import { boxWidth, type Box, type RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import { fuseVotes, nms, type FusionOptions, type PassDetections, type ScoredBox } from '../../domain/nms.rules.js';
import type { DetectOptions, Detection, FaceDetector } from '../../ports/face-models.port.js';
import { boxDownsample } from '../image/box-downsample.js';
import { boxToAffine, warpToTensor, type TensorSpec } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';
import { rewriteRfbInputSize } from './rfb-graph.rewrite.js';
import { planPasses, type RfbPass, type RfbPassOptions } from './rfb-pass.plan.js';
import { decodeSsdOutput } from './ssd-box.decode.js';

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
  /** Sessions kept (one per input size); the least recently used is closed beyond this. */
  maxSessions: number;
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
  maxSessions: 12,
};

const SPEC = { colour: 'RGB', mean: 127, std: 128 } as const;
/**
 * Per-pass score floor: lower priors are not decoded. Voting needs each pass's weaker sightings
 * too (a face at 0.4 in one look and 0.9 in three others is a face), so it sits well below the
 * final threshold; callers asking for less than this get at least this.
 */
const FLOOR_SCORE = 0.2;

export class RfbDetector implements FaceDetector {
  readonly info: ModelInfo;
  private readonly sessions = new Map<string, CachedSession>();

  private constructor(
    private readonly graph: Uint8Array,
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
        normalisation: `(x - 127) / 128, photo stretched to inputs of long side ${options.longSides.join(' and ')} px (multiples of 32)${options.flip ? ', plain and mirrored' : ''}`,
      },
    };
  }

  static async load(options: Partial<RfbDetectorOptions> = {}): Promise<RfbDetector> {
    const d = new RfbDetector(readVerifiedModelFile(MODEL_FILES.frDetect), { ...RFB_DEFAULTS, ...options });
    await d.withSession(320, 240, async () => undefined); // fail at start-up, not on the first photo
    return d;
  }

  async detect(image: RgbImage, options: DetectOptions): Promise<Detection[]> {
    const threshold = options.scoreThreshold ?? this.options.scoreThreshold;
    const passes = await this.detectPasses(image, FLOOR_SCORE);
    const merged = this.options.fusion
      ? fuseVotes(passes, this.options.fusion)
      : nms(passes.flatMap((p) => p.boxes), this.options.nmsIou);
    const out: Detection[] = [];
    for (const d of nms(merged, this.options.nmsIou)) {
      if (d.score < threshold) continue;
      const box = correctRfbBox(d.box, this.options, image);
      if (boxWidth(box) < options.minFaceSize) continue;
      out.push({ box, score: d.score });
    }
    return out;
  }

  /** Every pass's own detections (after per-pass NMS) at scores ≥ floor, before merging: for tuning. */
  async detectPasses(image: RgbImage, floor: number): Promise<PassDetections[]> {
    const out: PassDetections[] = [];
    const shrunk = new Map<number, RgbImage>();
    for (const pass of planPasses(image.width, image.height, this.options)) {
      const scale = pass.width / (pass.region.x2 - pass.region.x1);
      out.push({ boxes: await this.runPass(image, pass, floor, shrunk), region: pass.region, scale });
    }
    return out;
  }

  /** Closes every cached session. */
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (e) => (await e.session).release()));
  }

  private async runPass(image: RgbImage, pass: RfbPass, threshold: number, shrunk: Map<number, RgbImage>): Promise<ScoredBox[]> {
    const { region, width, height } = pass;
    // Shrink by whole factors first when the region is more than ~3x the input (anti-aliasing);
    // bilinear sampling then covers the remaining < 2x. Whole-frame shrinks are shared by passes.
    const factor = Math.floor(Math.min((region.x2 - region.x1) / width, (region.y2 - region.y1) / height) / 1.5);
    let src = image;
    let r = region;
    if (factor >= 2) {
      const whole = region.x1 === 0 && region.y1 === 0 && region.x2 === image.width && region.y2 === image.height;
      const x1 = Math.floor(region.x1), y1 = Math.floor(region.y1);
      const x2 = Math.ceil(region.x2), y2 = Math.ceil(region.y2);
      const cached = whole ? shrunk.get(factor) : undefined;
      src = cached ?? boxDownsample(cropImage(image, x1, y1, x2 - x1, y2 - y1), factor);
      if (whole && !cached) shrunk.set(factor, src);
      // The region in the shrunk crop's pixels (the crop drops the last partial block).
      r = {
        x1: (region.x1 - x1) / factor,
        y1: (region.y1 - y1) / factor,
        x2: Math.min((region.x2 - x1) / factor, src.width),
        y2: Math.min((region.y2 - y1) / factor, src.height),
      };
    }
    const spec: TensorSpec = { width, height, ...SPEC };
    const m = boxToAffine(r, width, height);
    if (pass.flip) {
      // Tensor column x samples source column r.x2 − (x + 0.5)·sx − 0.5 (mirror of boxToAffine).
      m[2] = r.x2 - 0.5 * m[0] - 0.5;
      m[0] = -m[0];
    }
    const tensor = warpToTensor(src, m, spec);
    const out = await this.withSession(width, height, (s) => runSession(s, tensor, [1, 3, height, width]));
    return nms(decodeSsdOutput(out.scores!, out.boxes!, region, threshold, pass.flip), this.options.nmsIou);
  }

  /** Runs `fn` on the session for this input size, creating (and caching) it when needed. */
  private async withSession<T>(width: number, height: number, fn: (s: OrtSession) => Promise<T>): Promise<T> {
    const key = `${width}x${height}`;
    let entry = this.sessions.get(key);
    if (entry) {
      this.sessions.delete(key); // re-insert: Map order is our LRU order
    } else {
      const graph = width === 320 && height === 240 ? this.graph : rewriteRfbInputSize(this.graph, width, height);
      entry = { session: createSession(graph), inFlight: 0, evicted: false };
    }
    this.sessions.set(key, entry);
    while (this.sessions.size > this.options.maxSessions) {
      const [oldKey, old] = this.sessions.entries().next().value as [string, CachedSession];
      this.sessions.delete(oldKey);
      old.evicted = true;
      if (old.inFlight === 0) releaseQuietly(old);
    }
    entry.inFlight++;
    try {
      return await fn(await entry.session);
    } catch (e) {
      if (this.sessions.get(key) === entry) this.sessions.delete(key);
      throw e;
    } finally {
      entry.inFlight--;
      if (entry.evicted && entry.inFlight === 0) releaseQuietly(entry);
    }
  }
}

interface CachedSession {
  session: Promise<OrtSession>;
  /** Runs using it now: an evicted session is released only when this reaches 0. */
  inFlight: number;
  evicted: boolean;
}

function releaseQuietly(e: CachedSession): void {
  e.session.then((s) => s.release()).catch(() => undefined);
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

function cropImage(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  if (x === 0 && y === 0 && w === img.width && h === img.height) return img;
  const data = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * img.width + x) * 3;
    data.set(img.data.subarray(from, from + w * 3), row * w * 3);
  }
  return { width: w, height: h, data };
}
