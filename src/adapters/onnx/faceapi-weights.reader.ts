/**
 * Reads a TensorFlow.js weights manifest and its .bin shard(s) into named Float32Arrays, with
 * uint8-quantised weights dequantised as value = q·scale + min (TFJS "quantization" with
 * `scale`/`min`). Layouts are returned exactly as TFJS stores them (conv HWIO, depthwise HWC1,
 * dense [in, out]); the `to*` helpers below reorder them for ONNX.
 */

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface TfjsManifestGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

export interface NamedWeight {
  shape: number[];
  data: Float32Array;
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Decodes every weight of a manifest. `shards` are the .bin files in manifest path order, across
 * all groups (face-api's models have one group and one shard).
 */
export function readTfjsWeights(manifest: TfjsManifestGroup[], shards: Uint8Array[]): Map<string, NamedWeight> {
  const total = shards.reduce((n, s) => n + s.length, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    buf.set(s, at);
    at += s.length;
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Map<string, NamedWeight>();
  let offset = 0;
  for (const group of manifest) {
    for (const w of group.weights) {
      const n = count(w.shape);
      const data = new Float32Array(n);
      const q = w.quantization;
      if (!q) {
        if (w.dtype !== 'float32') throw new Error(`TFJS weight ${w.name}: dtype ${w.dtype} is not supported`);
        need(offset + 4 * n, total, w.name);
        for (let i = 0; i < n; i++) data[i] = view.getFloat32(offset + 4 * i, true);
        offset += 4 * n;
      } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
        const bytes = q.dtype === 'uint8' ? 1 : 2;
        if (q.scale === undefined || q.min === undefined) throw new Error(`TFJS weight ${w.name}: quantisation without scale/min`);
        need(offset + bytes * n, total, w.name);
        for (let i = 0; i < n; i++) {
          const v = bytes === 1 ? buf[offset + i]! : view.getUint16(offset + 2 * i, true);
          data[i] = v * q.scale + q.min;
        }
        offset += bytes * n;
      } else {
        throw new Error(`TFJS weight ${w.name}: quantisation ${q.dtype} is not supported`);
      }
      out.set(w.name, { shape: w.shape, data });
    }
  }
  if (offset !== total) throw new Error(`TFJS weights: manifest covers ${offset} bytes, shards hold ${total}`);
  return out;
}

function need(end: number, total: number, name: string): void {
  if (end > total) throw new Error(`TFJS weight ${name} runs past the end of the weight data`);
}

/** Conv filter HWIO [kh, kw, in, out] → ONNX OIHW [out, in, kh, kw]. */
export function hwioToOihw(w: NamedWeight): NamedWeight {
  const [kh, kw, ci, co] = dims4(w);
  const d = new Float32Array(w.data.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) d[((o * ci + i) * kh + h) * kw + x] = w.data[((h * kw + x) * ci + i) * co + o]!;
  return { shape: [co, ci, kh, kw], data: d };
}

/** Depthwise filter HWC1 [kh, kw, c, 1] → ONNX grouped-conv weight [c, 1, kh, kw] (group = c). */
export function hwc1ToC1hw(w: NamedWeight): NamedWeight {
  const [kh, kw, c, m] = dims4(w);
  if (m !== 1) throw new Error(`depthwise multiplier ${m} is not supported`);
  const d = new Float32Array(w.data.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < c; i++) d[(i * kh + h) * kw + x] = w.data[(h * kw + x) * c + i]!;
  return { shape: [c, 1, kh, kw], data: d };
}

function dims4(w: NamedWeight): [number, number, number, number] {
  if (w.shape.length !== 4) throw new Error(`expected a 4-D filter, got shape [${w.shape.join(', ')}]`);
  return w.shape as [number, number, number, number];
}
