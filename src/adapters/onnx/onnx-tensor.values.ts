/** Float values of ONNX tensor protos (initializers, Constant attributes), read and written. */
import type { onnx as OnnxNs } from 'onnx-proto';

export const FLOAT = 1; // TensorProto.DataType.FLOAT

/** A copy of a float tensor's values, from raw_data (copied: it may be unaligned) or float_data. */
export function floatsOf(t: OnnxNs.ITensorProto): Float32Array {
  if (t.rawData && t.rawData.length >= 4) {
    const copy = new Uint8Array(t.rawData);
    return new Float32Array(copy.buffer, 0, copy.length >> 2);
  }
  return Float32Array.from(t.floatData ?? []);
}

/** Raw little-endian bytes of `f`, as raw_data wants them. */
export function rawOf(f: Float32Array): Uint8Array {
  return new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength));
}

/** Replaces a float tensor's values (written as raw_data). */
export function setFloats(t: OnnxNs.ITensorProto, f: Float32Array): void {
  t.rawData = rawOf(f);
  t.floatData = [];
}
