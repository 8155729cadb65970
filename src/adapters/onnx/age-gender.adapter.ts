/**
 * Age and gender with face-api's AgeGenderNet (TinyXception(2) + two dense heads), rebuilt as an
 * ONNX graph in memory from the package's TFJS weights and run on onnxruntime-node: no tfjs.
 *
 * Network (node_modules/@vladmandic/face-api/src/xception/TinyXception.ts, ageGenderNet/):
 *   x = (rgb − [122.782, 117.001, 104.298]) / 255, 112×112
 *   relu(conv3x3/2) → reduction(no input relu) → reduction → 2 × main → reduction → relu(sepconv)
 *   → average (the 7×7 avg-pool on the 7×7 map is a global mean) → fc age (1), fc gender (2, softmax)
 * reduction(x) = maxpool3x3/2(sep(relu(sep(relu?(x))))) + conv1x1/2(x); main(x) = x + 3 × sep(relu(·)).
 * All convs and pools are TF 'SAME' (odd padding pixel at the end). Gender index 0 = male.
 *
 * Input crop, as face-api feeds it (globalApi: `alignedRect` = FaceLandmarks.align()): the box
 * around the 68 landmarks grown by 20 % of its width and height (10 % a side), clipped to the
 * image, padded to a square with black (centred) and resized bilinearly to 112×112.
 */
import type { Box, GenderEstimate, Point, RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import type { AgeGenderModel, LocatedFace } from '../../ports/face-models.port.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { hwc1ToC1hw, hwioToOihw, readTfjsWeights, type NamedWeight, type TfjsManifestGroup } from './faceapi-weights.reader.js';
import { OnnxGraphBuilder, tfSamePads } from './onnx-graph.builder.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';

const SIZE = 112;
const MEAN_RGB = [122.782, 117.001, 104.298] as const;
/** face-api's FaceLandmarks.alignMinBbox default padding (fraction of width/height, total). */
const LANDMARK_BOX_PADDING = 0.2;

export const FACE_API_AGE_GENDER_INFO: ModelInfo = {
  id: 'faceapi-age-gender',
  version: '1',
  source: { package: `${MODEL_FILES.faceApiAgeGenderWeights.package}@${MODEL_FILES.faceApiAgeGenderWeights.version}`, file: MODEL_FILES.faceApiAgeGenderWeights.file, licence: 'MIT' },
  input: { shape: [3, SIZE, SIZE], colour: 'RGB', normalisation: '(pixel − [122.782, 117.001, 104.298]) / 255; landmark box +20 %, black-padded square' },
};

export class FaceApiAgeGender implements AgeGenderModel {
  readonly info = FACE_API_AGE_GENDER_INFO;

  private constructor(private readonly session: OrtSession) {}

  static async load(): Promise<FaceApiAgeGender> {
    const manifest = JSON.parse(readVerifiedModelFile(MODEL_FILES.faceApiAgeGenderManifest).toString('utf8')) as TfjsManifestGroup[];
    const bin = readVerifiedModelFile(MODEL_FILES.faceApiAgeGenderWeights);
    const weights = readTfjsWeights(manifest, [new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength)]);
    return new FaceApiAgeGender(await createSession(buildAgeGenderGraph(weights)));
  }

  async estimate(image: RgbImage, face: LocatedFace): Promise<{ age: number; gender: GenderEstimate }> {
    const input = faceApiCrop(image, faceApiBox(face));
    const out = await runSession(this.session, input, [1, 3, SIZE, SIZE]);
    return interpret(out['age']![0]!, out['gender']![0]!);
  }

  /** Raw network outputs for a prepared 1×3×112×112 tensor (tests, reference checks). */
  async run(input: Float32Array): Promise<{ age: number; male: number }> {
    const out = await runSession(this.session, input, [1, 3, SIZE, SIZE]);
    return { age: out['age']![0]!, male: out['gender']![0]! };
  }
}

function interpret(age: number, pMale: number): { age: number; gender: GenderEstimate } {
  const male = pMale > 0.5;
  return {
    age: Math.max(0, Math.round(age * 10) / 10),
    gender: { label: male ? 'male' : 'female', confidence: male ? pMale : 1 - pMale },
  };
}

/** The face box face-api would use: landmark extent +20 %, or the detection box without landmarks. */
export function faceApiBox(face: LocatedFace): Box {
  const pts: Point[] = face.landmarks.points68.length ? face.landmarks.points68 : [];
  if (pts.length === 0) return face.box;
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const p of pts) {
    x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y); x2 = Math.max(x2, p.x); y2 = Math.max(y2, p.y);
  }
  const px = (x2 - x1) * LANDMARK_BOX_PADDING * 0.5;
  const py = (y2 - y1) * LANDMARK_BOX_PADDING * 0.5;
  return { x1: x1 - px, y1: y1 - py, x2: x2 + px, y2: y2 + py };
}

/**
 * face-api's input tensor for `box`: clipped to the image, centred on a black square of side
 * max(w, h), resized bilinearly to 112×112, then (v − mean) / 255, CHW.
 */
export function faceApiCrop(img: RgbImage, box: Box): Float32Array {
  const cx1 = Math.max(0, Math.floor(box.x1));
  const cy1 = Math.max(0, Math.floor(box.y1));
  const cx2 = Math.min(img.width, Math.floor(box.x2));
  const cy2 = Math.min(img.height, Math.floor(box.y2));
  const w = Math.max(1, cx2 - cx1);
  const h = Math.max(1, cy2 - cy1);
  const side = Math.max(w, h);
  // padToSquare(centred) appends round(diff/2) after the image and the rest before it.
  const diff = side - Math.min(w, h);
  const before = diff - Math.round(diff / 2);
  const ox = cx1 - (w < h ? before : 0);
  const oy = cy1 - (h < w ? before : 0);
  const scale = side / SIZE;
  const plane = SIZE * SIZE;
  const t = new Float32Array(3 * plane);
  const src = img.data;
  for (let y = 0; y < SIZE; y++) {
    const sy = oy + (y + 0.5) * scale - 0.5;
    for (let x = 0; x < SIZE; x++) {
      const sx = ox + (x + 0.5) * scale - 0.5;
      const p = y * SIZE + x;
      if (sx < cx1 - 0.5 || sx > cx2 - 0.5 || sy < cy1 - 0.5 || sy > cy2 - 0.5) {
        for (let c = 0; c < 3; c++) t[c * plane + p] = -MEAN_RGB[c]! / 255;
        continue;
      }
      const x0 = Math.min(cx2 - 1, Math.max(cx1, Math.floor(sx)));
      const y0 = Math.min(cy2 - 1, Math.max(cy1, Math.floor(sy)));
      const x1 = Math.min(cx2 - 1, x0 + 1);
      const y1 = Math.min(cy2 - 1, y0 + 1);
      const fx = Math.min(1, Math.max(0, sx - x0));
      const fy = Math.min(1, Math.max(0, sy - y0));
      const i00 = (y0 * img.width + x0) * 3, i01 = (y0 * img.width + x1) * 3;
      const i10 = (y1 * img.width + x0) * 3, i11 = (y1 * img.width + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[i00 + c]! + (src[i01 + c]! - src[i00 + c]!) * fx;
        const bot = src[i10 + c]! + (src[i11 + c]! - src[i10 + c]!) * fx;
        t[c * plane + p] = (top + (bot - top) * fy - MEAN_RGB[c]!) / 255;
      }
    }
  }
  return t;
}

/** Builds the ONNX model of AgeGenderNet from its decoded TFJS weights. */
export function buildAgeGenderGraph(w: Map<string, NamedWeight>): Uint8Array {
  const get = (name: string): NamedWeight => {
    const v = w.get(name);
    if (!v) throw new Error(`age_gender_model weights lack ${name}`);
    return v;
  };
  const g = new OnnxGraphBuilder(13);
  let size = SIZE;

  const sepConv = (x: string, prefix: string): string => {
    const dw = hwc1ToC1hw(get(`${prefix}/depthwise_filter`));
    const c = dw.shape[0]!;
    const d = g.conv(x, dw, undefined, { group: c, pads: tfSamePads(size, 3, 1) });
    return g.conv(d, hwioToOihw(get(`${prefix}/pointwise_filter`)), get(`${prefix}/bias`).data);
  };
  const reduction = (x: string, prefix: string, activateInput: boolean): string => {
    let out = activateInput ? g.relu(x) : x;
    out = sepConv(out, `${prefix}/separable_conv0`);
    out = sepConv(g.relu(out), `${prefix}/separable_conv1`);
    out = g.maxPool(out, { kernel: [3, 3], strides: [2, 2], pads: tfSamePads(size, 3, 2) });
    const shortcut = g.conv(x, hwioToOihw(get(`${prefix}/expansion_conv/filters`)), get(`${prefix}/expansion_conv/bias`).data, {
      strides: [2, 2],
      pads: tfSamePads(size, 1, 2),
    });
    size = Math.ceil(size / 2);
    return g.add(out, shortcut);
  };
  const main = (x: string, prefix: string): string => {
    let out = sepConv(g.relu(x), `${prefix}/separable_conv0`);
    out = sepConv(g.relu(out), `${prefix}/separable_conv1`);
    out = sepConv(g.relu(out), `${prefix}/separable_conv2`);
    return g.add(out, x);
  };

  let x = g.input('input', [1, 3, SIZE, SIZE]);
  x = g.relu(
    g.conv(x, hwioToOihw(get('entry_flow/conv_in/filters')), get('entry_flow/conv_in/bias').data, {
      strides: [2, 2],
      pads: tfSamePads(size, 3, 2),
    }),
  );
  size = Math.ceil(size / 2);
  x = reduction(x, 'entry_flow/reduction_block_0', false);
  x = reduction(x, 'entry_flow/reduction_block_1', true);
  x = main(x, 'middle_flow/main_block_0');
  x = main(x, 'middle_flow/main_block_1');
  x = reduction(x, 'exit_flow/reduction_block', true);
  x = g.relu(sepConv(x, 'exit_flow/separable_conv'));
  // avgPool([7,7], [2,2], 'valid') over the 7×7 map is one window: the global mean.
  if (size !== 7) throw new Error(`TinyXception ends at ${size}×${size}, expected 7×7`);
  const pooled = g.flatten(g.globalAveragePool(x));
  const age = g.gemm(pooled, get('fc/age/weights'), get('fc/age/bias').data);
  const gender = g.softmax(g.gemm(pooled, get('fc/gender/weights'), get('fc/gender/bias').data), 1);
  g.output(age, 'age', [1, 1]);
  g.output(gender, 'gender', [1, 2]);
  return g.build('faceapi_age_gender');
}
