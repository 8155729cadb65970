/**
 * A small ONNX graph builder over onnx-proto, enough to rebuild plain CNNs (e.g. face-api's TFJS
 * networks) in memory for onnxruntime: Conv (grouped/depthwise too), Relu, MaxPool, Add,
 * GlobalAveragePool, ReduceMean, Flatten, Gemm, MatMul, Softmax. Every node method returns the
 * name of its output, so networks read as straight-line code.
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import { FLOAT, rawOf } from './onnx-tensor.values.js';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };

const INT64 = 7; // TensorProto.DataType.INT64
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export interface Weight {
  shape: number[];
  data: Float32Array;
}

export interface ConvOptions {
  strides?: [number, number];
  /** [top, left, bottom, right], ONNX order. */
  pads?: [number, number, number, number];
  group?: number;
}

export interface PoolOptions {
  kernel: [number, number];
  strides: [number, number];
  pads?: [number, number, number, number];
}

type Attr = OnnxNs.IAttributeProto;

/**
 * TensorFlow 'SAME' padding for one spatial axis of size `n`: out = ceil(n/s), total pad =
 * max((out−1)·s + k − n, 0), with the odd pixel at the end (bottom/right).
 */
export function tfSamePad(n: number, k: number, s: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** ONNX pads for a square input of side `n` under TF 'SAME'. */
export function tfSamePads(n: number, k: number, s: number): [number, number, number, number] {
  const [b, a] = tfSamePad(n, k, s);
  return [b, b, a, a];
}

export class OnnxGraphBuilder {
  private readonly nodes: OnnxNs.INodeProto[] = [];
  private readonly inits: OnnxNs.ITensorProto[] = [];
  private readonly inputs: OnnxNs.IValueInfoProto[] = [];
  private readonly outputs: OnnxNs.IValueInfoProto[] = [];
  private n = 0;

  constructor(private readonly opset = 13) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.n++}`;
  }

  private valueInfo(name: string, shape: (number | string)[]): OnnxNs.IValueInfoProto {
    return {
      name,
      type: {
        tensorType: {
          elemType: FLOAT,
          shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    };
  }

  input(name: string, shape: (number | string)[]): string {
    this.inputs.push(this.valueInfo(name, shape));
    return name;
  }

  /** Renames `value` to the graph output `name` (through Identity) and declares it. */
  output(value: string, name: string, shape: (number | string)[]): string {
    this.node('Identity', [value], [], name);
    this.outputs.push(this.valueInfo(name, shape));
    return name;
  }

  constant(w: Weight, prefix = 'w'): string {
    const name = this.fresh(prefix);
    this.inits.push({ name, dims: w.shape, dataType: FLOAT, rawData: rawOf(w.data) });
    return name;
  }

  private int64s(values: number[], prefix: string): string {
    const name = this.fresh(prefix);
    const raw = new Uint8Array(values.length * 8);
    const v = new DataView(raw.buffer);
    values.forEach((x, i) => v.setBigInt64(i * 8, BigInt(x), true));
    this.inits.push({ name, dims: [values.length], dataType: INT64, rawData: raw });
    return name;
  }

  node(opType: string, inputs: string[], attributes: Attr[] = [], output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, input: inputs, output: [out], name: `${opType}_${this.nodes.length}`, attribute: attributes });
    return out;
  }

  /** Conv with OIHW weight (for depthwise: [C, 1, kh, kw] and group = C) and optional bias. */
  conv(x: string, weight: Weight, bias?: Float32Array, o: ConvOptions = {}): string {
    const [, , kh, kw] = weight.shape as [number, number, number, number];
    const ins = [x, this.constant(weight, 'conv_w')];
    if (bias) ins.push(this.constant({ shape: [bias.length], data: bias }, 'conv_b'));
    return this.node('Conv', ins, [
      ints('kernel_shape', [kh, kw]),
      ints('strides', o.strides ?? [1, 1]),
      ints('pads', o.pads ?? [0, 0, 0, 0]),
      int('group', o.group ?? 1),
    ]);
  }

  relu(x: string): string {
    return this.node('Relu', [x]);
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  /** MaxPool; padded cells never win (ONNX pads max pooling with −∞, as TF 'SAME' does). */
  maxPool(x: string, o: PoolOptions): string {
    return this.node('MaxPool', [x], [ints('kernel_shape', o.kernel), ints('strides', o.strides), ints('pads', o.pads ?? [0, 0, 0, 0])]);
  }

  globalAveragePool(x: string): string {
    return this.node('GlobalAveragePool', [x]);
  }

  /** Mean over `axes` (opset 13: axes as an attribute). */
  reduceMean(x: string, axes: number[], keepdims = true): string {
    if (this.opset >= 18) return this.node('ReduceMean', [x, this.int64s(axes, 'axes')], [int('keepdims', keepdims ? 1 : 0)]);
    return this.node('ReduceMean', [x], [ints('axes', axes), int('keepdims', keepdims ? 1 : 0)]);
  }

  flatten(x: string, axis = 1): string {
    return this.node('Flatten', [x], [int('axis', axis)]);
  }

  /** y = x·W + b with W stored [in, out] (TF dense layout), or [out, in] with transB. */
  gemm(x: string, weight: Weight, bias: Float32Array, transB = false): string {
    const w = this.constant(weight, 'fc_w');
    const b = this.constant({ shape: [bias.length], data: bias }, 'fc_b');
    return this.node('Gemm', [x, w, b], [int('transB', transB ? 1 : 0), float('alpha', 1), float('beta', 1)]);
  }

  matMul(x: string, weight: Weight): string {
    return this.node('MatMul', [x, this.constant(weight, 'mm_w')]);
  }

  softmax(x: string, axis = -1): string {
    return this.node('Softmax', [x], [int('axis', axis)]);
  }

  /** Serialises the model (IR 8) to bytes for `InferenceSession.create`. */
  build(graphName = 'graph'): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'visage',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: graphName, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function ints(name: string, v: number[]): Attr {
  return { name, type: ATTR.INTS, ints: v };
}

function int(name: string, v: number): Attr {
  return { name, type: ATTR.INT, i: v };
}

function float(name: string, v: number): Attr {
  return { name, type: ATTR.FLOAT, f: v };
}
