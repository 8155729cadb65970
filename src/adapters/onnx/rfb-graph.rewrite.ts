/**
 * Rewrites the RFB-320 detector graph (fr_detect.onnx, built for a 1x3x240x320 input) to accept
 * another input size. The convolutions and reshapes are size-agnostic; only four things are
 * baked for 320x240: the input shape, the output shapes (1xNx2 scores, 1xNx4 boxes) and three
 * 1xNx2 prior constants that decode the box regressions (prior widths/heights, used twice, and
 * prior centres). We recognise the constants by value, regenerate them for the new size and
 * write the new prior count N into the shapes (../shared/research/models.md, "Detection").
 */
import { createRequire } from 'node:module';
import { priorCount, ssdPriors } from './ssd-box.decode.js';

const require = createRequire(import.meta.url);
// onnx-proto is CommonJS protobufjs bindings of onnx.proto.
const { onnx } = require('onnx-proto') as { onnx: OnnxNamespace };

interface OnnxNamespace {
  ModelProto: { decode(b: Uint8Array): OnnxModel; encode(m: OnnxModel): { finish(): Uint8Array } };
}
interface OnnxDim { dimValue?: unknown; dimParam?: string }
interface OnnxValueInfo { name: string; type: { tensorType: { shape: { dim: OnnxDim[] } } } }
interface OnnxTensor { dims: unknown[]; dataType: number; rawData?: Uint8Array; floatData?: number[] }
interface OnnxNode { opType: string; output: string[]; attribute: { name: string; t?: OnnxTensor }[] }
interface OnnxModel { graph: { input: OnnxValueInfo[]; output: OnnxValueInfo[]; node: OnnxNode[] } }

export const RFB_BASE_SIZE = { width: 320, height: 240 } as const;

function floatsOf(t: OnnxTensor): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const copy = new Uint8Array(t.rawData); // aligned copy
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

function toRaw(f: Float32Array): Uint8Array {
  return new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength));
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1e-6) return false;
  return true;
}

/** Returns the graph bytes rewritten for a width×height input; throws if the graph is not the one we know. */
export function rewriteRfbInputSize(model: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 64 || height < 64) {
    throw new Error(`RFB input size must be integers ≥ 64, got ${width}x${height}`);
  }
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  const base = ssdPriors(RFB_BASE_SIZE.width, RFB_BASE_SIZE.height);
  const next = ssdPriors(width, height);
  const n = priorCount(width, height);

  let centres = 0;
  let sizes = 0;
  for (const node of g.node) {
    if (node.opType !== 'Constant') continue;
    const t = node.attribute.find((a) => a.name === 'value')?.t;
    if (!t || t.dataType !== 1 || t.dims.length !== 3 || Number(t.dims[1]) !== base.centres.length / 2) continue;
    const v = floatsOf(t);
    let replacement: Float32Array;
    if (sameValues(v, base.centres)) {
      replacement = next.centres;
      centres++;
    } else if (sameValues(v, base.sizes)) {
      replacement = next.sizes;
      sizes++;
    } else {
      throw new Error('fr_detect.onnx holds an unknown 1xNx2 constant: not the graph this rewrite knows');
    }
    t.dims = [1, n, 2];
    t.rawData = toRaw(replacement);
    t.floatData = [];
  }
  if (centres !== 1 || sizes !== 2) {
    throw new Error(`fr_detect.onnx prior constants not found (centres ${centres}/1, sizes ${sizes}/2)`);
  }

  const inDims = g.input[0]!.type.tensorType.shape.dim;
  inDims[2] = { dimValue: height };
  inDims[3] = { dimValue: width };
  for (const o of g.output) o.type.tensorType.shape.dim[1] = { dimValue: n };
  return onnx.ModelProto.encode(m).finish();
}
