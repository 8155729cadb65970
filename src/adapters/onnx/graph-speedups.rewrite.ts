/**
 * Two rewrites applied to every graph before it reaches onnxruntime; each leaves the network's
 * function unchanged (up to float rounding) and only removes work the CPU does badly
 * (bench/ort-levels.ts measures them; docs/models.md has the figures).
 *
 * 1. Near-zero weights become zero. The faceplugin graphs carry many weights that weight decay
 *    drove towards zero without reaching it (fr_feature: 205,538 of its 1.19 M weights lie between
 *    1e-45 and 1e-6, 119,017 of them under 1e-30; 195,716 are under 1e-12 and get zeroed).
 *    Multiplied with activations they make subnormal floats, which x86 handles in microcode at
 *    many times the cost of a normal multiply; onnxruntime's `set_denormal_as_zero` option made no
 *    difference here (it sets the mode on its pool threads, and a one-thread session runs on the
 *    calling thread). Safe because such a weight w adds w·x to a sum; with |w| < 1e-12
 *    and activations of order 1..1e3 the term is under 1e-9, below float32 resolution
 *    (2^-23 ≈ 1.2e-7 relative) of any sum that matters: fr_feature's outputs stayed bit-identical.
 * 2. PRelu(y) = y for y > 0, s·y otherwise (s per channel) becomes y + Relu((s − 1)·y) when
 *    every slope is under 1 (y > 0: (s − 1)·y < 0, so y; y < 0: y + (s − 1)·y = s·y), else
 *    s·y + (1 − s)·Relu(y) (y > 0: s·y + (1 − s)·y = y). onnxruntime's PRelu kernel is scalar
 *    (about 3 ns an element) and, like Max, has no form in the blocked NCHWc layout of the 'all'
 *    level, so it costs a reorder out and back; a per-channel Mul (run as a 1×1 depthwise conv,
 *    with the Relu fused into it in the first form), Relu and Add all stay in that layout. The
 *    first form is two passes over the tensor instead of three (fr_feature's PRelus 1.8 → 1.5 ms in
 *    onnxruntime's profile).
 *
 * fr_feature, one thread: 21.7 ms → 9.7 ms (1) → about 4.2 ms (2) per face, and the 'all' level,
 * which the subnormals had made 3x slower, is now its fastest. Outputs differ from the shipped
 * graph's by at most about 1e-5, the size of the differences the 'all' level's own reordering of
 * sums gives (bench/ort-levels.ts prints the largest difference for every model).
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import { FLOAT, floatsOf, rawOf, setFloats } from './onnx-tensor.values.js';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };

const TINY_WEIGHT = 1e-12;

function flushFloats(f: Float32Array): number {
  let n = 0;
  for (let i = 0; i < f.length; i++) {
    const v = f[i]!;
    if (v !== 0 && Math.abs(v) < TINY_WEIGHT) {
      f[i] = 0;
      n++;
    }
  }
  return n;
}

function flushTensor(t: OnnxNs.ITensorProto): number {
  if (t.dataType !== FLOAT) return 0;
  const f = floatsOf(t);
  const n = flushFloats(f);
  if (n > 0) setFloats(t, f);
  return n;
}

/** Rewrites each PRelu whose slopes are an initializer in one of the two forms above; returns how many. */
function preluAsReluSum(g: OnnxNs.IGraphProto): number {
  const initializers = new Map((g.initializer ?? []).map((t) => [t.name, t]));
  const nodes: OnnxNs.INodeProto[] = [];
  let rewritten = 0;
  for (const node of g.node ?? []) {
    const slope = node.opType === 'PRelu' ? initializers.get(node.input?.[1] ?? '') : undefined;
    if (!slope || slope.dataType !== FLOAT) {
      nodes.push(node);
      continue;
    }
    const [y, s] = node.input as [string, string];
    const out = node.output![0]!;
    const n = (op: string, input: string[], output: string, step: string) =>
      onnx.NodeProto.create({ name: `${node.name}__${step}`, opType: op, input, output: [output] });
    const slopes = floatsOf(slope);
    const constant = (suffix: string, values: Float32Array) => {
      g.initializer!.push(onnx.TensorProto.create({ name: `${s}__${suffix}`, dataType: FLOAT, dims: slope.dims, rawData: rawOf(values) }));
      return `${s}__${suffix}`;
    };
    if (slopes.every((v) => v < 1)) {
      // y + Relu((s − 1)·y): the Mul and Relu run as one fused 1×1 depthwise conv.
      const minusOne = constant('minus_one', Float32Array.from(slopes, (v) => v - 1));
      nodes.push(
        n('Mul', [y, minusOne], `${out}__scaled`, 'scaled'),
        n('Relu', [`${out}__scaled`], `${out}__neg`, 'neg'),
        n('Add', [y, `${out}__neg`], out, 'sum'),
      );
    } else {
      const oneMinus = constant('one_minus', Float32Array.from(slopes, (v) => 1 - v));
      nodes.push(
        n('Mul', [y, s], `${out}__sy`, 'sy'),
        n('Relu', [y], `${out}__relu`, 'relu'),
        n('Mul', [`${out}__relu`, oneMinus], `${out}__rest`, 'rest'),
        n('Add', [`${out}__sy`, `${out}__rest`], out, 'sum'),
      );
    }
    rewritten++;
  }
  g.node = nodes;
  // Initializers no node reads any more (the slopes of the first form) are dropped: onnxruntime
  // warns about each unused one.
  const used = new Set(nodes.flatMap((x) => x.input ?? []));
  g.initializer = (g.initializer ?? []).filter((t) => used.has(t.name ?? ''));
  return rewritten;
}

/** Returns the graph with both rewrites applied (the same bytes when neither changes anything). */
export function applyGraphSpeedups(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g) return model;
  let changed = 0;
  for (const t of g.initializer ?? []) changed += flushTensor(t);
  for (const node of g.node ?? []) {
    if (node.opType !== 'Constant') continue;
    for (const a of node.attribute ?? []) if (a.t) changed += flushTensor(a.t);
  }
  changed += preluAsReluSum(g);
  return changed === 0 ? model : onnx.ModelProto.encode(m).finish();
}
