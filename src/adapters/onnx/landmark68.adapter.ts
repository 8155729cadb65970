/**
 * 68-point landmarks with fr_landmark.onnx (faceplugin): a 64x64 grey crop of the detector box,
 * pixel / 256, giving 136 values (x, y pairs) as fractions of the crop's width and height
 * (the package's lib/fr_landmark.js: box crop kept inside the image, resize, BGR2GRAY, /256).
 *
 * The net was trained on upright faces, so a tilted head gets worse points. A second pass
 * de-rotates: the same box, rotated about its centre by the eye angle of the first pass, is
 * sampled upright and the points are mapped back through the rotation (research: 99.58% vs 99.38%
 * LFW pairs; ours with it: 99.50% on folds 1–5, `npx tsx bench/lfw-eval.ts`). Rebuilding the
 * second box from the points (`recentre`) measured the same (99.47%, rank-1 equal), so it is an
 * option, not the default.
 */
import type { Box, Landmarks5, Point, RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import type { Detection, FaceLandmarks, Landmarker } from '../../ports/face-models.port.js';
import { applyAffine, type Affine, type TensorSpec, warpToTensor } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';

const SIZE = 64;
const SPEC: TensorSpec = { width: SIZE, height: SIZE, colour: 'GREY', mean: 0, std: 256 };

export interface Landmark68Options {
  /** Run the de-rotated second pass (default true). */
  refine?: boolean;
  /** Skip the second pass when the first pass' eye line is within this many degrees of level. */
  minRefineDegrees?: number;
  /**
   * Second pass on a box rebuilt from the first pass' points (the shape of a raw RFB box around
   * such points) instead of the detector's own box: the net then sees the framing it was trained
   * on whatever detector or box correction is in front of it.
   */
  recentre?: boolean;
}

/**
 * A raw RFB-320 box around 68 points, measured on 495 LFW photos (first-pass points, medians):
 * in the eye-line frame, with s = RMS distance of the points from their centroid, the box centre
 * is the centroid + (0, 0.039·s) and its size 2.66·s × 3.79·s (10–90%: 2.45–2.93, 3.40–4.18).
 */
const CANONICAL = { dy: 0.039, w: 2.66, h: 3.79 };

/** The 5 ArcFace points from 68: eye centres (means of 36–41, 42–47), nose tip 30, mouth corners 48 and 54. */
export function fivePointsFrom68(p: Point[]): Landmarks5 {
  const mean = (from: number, to: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += p[i]!.x;
      y += p[i]!.y;
    }
    const n = to - from + 1;
    return { x: x / n, y: y / n };
  };
  return [mean(36, 41), mean(42, 47), { ...p[30]! }, { ...p[48]! }, { ...p[54]! }];
}

/**
 * The box as the package crops it: same size, shifted (not shrunk) to lie inside the image
 * when it overhangs an edge, so the net sees a face-filled crop rather than smeared edge pixels.
 */
export function fitBoxInside(box: Box, width: number, height: number): Box {
  const w = Math.min(box.x2 - box.x1, width - 1);
  const h = Math.min(box.y2 - box.y1, height - 1);
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  let x1 = cx - w / 2;
  let y1 = cy - h / 2;
  x1 = Math.min(Math.max(x1, 0), width - 1 - w);
  y1 = Math.min(Math.max(y1, 0), height - 1 - h);
  return { x1, y1, x2: x1 + w, y2: y1 + h };
}

/**
 * dst → src affine for a w×h box centred at (cx, cy), rotated by `angle` radians, sampled onto
 * SIZE×SIZE. Destination pixel (u, v) has box fractions ((u + 0.5)/SIZE, (v + 0.5)/SIZE).
 */
function boxAffine(cx: number, cy: number, w: number, h: number, angle: number): Affine {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const kx = w / SIZE;
  const ky = h / SIZE;
  // Offset from centre in box pixels: dx = (u + 0.5)·kx − w/2, dy likewise; then rotate.
  const ox = 0.5 * kx - w / 2;
  const oy = 0.5 * ky - h / 2;
  return [c * kx, -s * ky, cx + c * ox - s * oy - 0.5, s * kx, c * ky, cy + s * ox + c * oy - 0.5];
}

/** The canonical box (centre and size) for these points, upright in the frame turned by `angle`. */
export function canonicalBox(p: Point[], angle: number): { cx: number; cy: number; w: number; h: number } {
  let mx = 0;
  let my = 0;
  for (const q of p) {
    mx += q.x;
    my += q.y;
  }
  mx /= p.length;
  my /= p.length;
  let v = 0;
  for (const q of p) v += (q.x - mx) ** 2 + (q.y - my) ** 2;
  const s = Math.sqrt(v / p.length);
  // (0, dy·s) in the turned frame is (−sin, cos)·dy·s in the image.
  return { cx: mx - Math.sin(angle) * CANONICAL.dy * s, cy: my + Math.cos(angle) * CANONICAL.dy * s, w: CANONICAL.w * s, h: CANONICAL.h * s };
}

export class Landmark68Locator implements Landmarker {
  readonly info: ModelInfo = {
    id: 'fr-landmark-68',
    version: '1',
    source: { package: MODEL_FILES.frLandmark.package + '@' + MODEL_FILES.frLandmark.version, file: MODEL_FILES.frLandmark.file, licence: MODEL_FILES.frLandmark.licence },
    input: { shape: [1, SIZE, SIZE], colour: 'GREY', normalisation: 'x / 256' },
  };
  private readonly input = new Float32Array(SIZE * SIZE);
  private readonly refine: boolean;
  private readonly minRefineRad: number;
  private readonly recentre: boolean;

  private constructor(private readonly session: OrtSession, o: Landmark68Options) {
    this.refine = o.refine ?? true;
    this.minRefineRad = ((o.minRefineDegrees ?? 0) * Math.PI) / 180;
    this.recentre = o.recentre ?? false;
  }

  static async load(options: Landmark68Options = {}): Promise<Landmark68Locator> {
    return new Landmark68Locator(await createSession(readVerifiedModelFile(MODEL_FILES.frLandmark)), options);
  }

  async locate(image: RgbImage, detection: Detection): Promise<FaceLandmarks> {
    const b = fitBoxInside(detection.box, image.width, image.height);
    const w = b.x2 - b.x1;
    const h = b.y2 - b.y1;
    const cx = (b.x1 + b.x2) / 2;
    const cy = (b.y1 + b.y2) / 2;
    let points68 = await this.pass(image, cx, cy, w, h, 0);
    if (this.refine) {
      const [le, re] = fivePointsFrom68(points68);
      const angle = Math.atan2(re.y - le.y, re.x - le.x);
      if (this.recentre) {
        const c = canonicalBox(points68, angle);
        points68 = await this.pass(image, c.cx, c.cy, c.w, c.h, angle);
      } else if (Math.abs(angle) >= this.minRefineRad) points68 = await this.pass(image, cx, cy, w, h, angle);
    }
    return { points68, points5: fivePointsFrom68(points68) };
  }

  /** One run of the net on the (possibly rotated) box; points come back in image pixels. */
  private async pass(image: RgbImage, cx: number, cy: number, w: number, h: number, angle: number): Promise<Point[]> {
    const m = boxAffine(cx, cy, w, h, angle);
    warpToTensor(image, m, SPEC, this.input);
    const out = await runSession(this.session, this.input, [1, 1, SIZE, SIZE]);
    const v = Object.values(out)[0]!;
    const pts: Point[] = new Array(68);
    for (let i = 0; i < 68; i++) {
      // Output fractions of the crop → destination pixel coordinates (centre convention) → image.
      pts[i] = applyAffine(m, { x: v[2 * i]! * SIZE - 0.5, y: v[2 * i + 1]! * SIZE - 0.5 });
    }
    return pts;
  }
}
