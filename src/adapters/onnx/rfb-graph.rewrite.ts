/**
 * Rewrites the RFB-320 detector graph (fr_detect.onnx, built for a 1x3x240x320 input) into one
 * that takes any input size. The convolutions and reshapes are size-agnostic; what is baked for
 * 320x240 is the input shape and the tail that decodes box regressions against three 1xNx2 prior
 * constants (cx = p.cx + 0.1·dx·p.w, w = p.w·exp(0.2·dw), then corners). The rewrite makes the
 * input's height and width symbolic, ends the graph at the softmax scores and the raw regressions
 * (both [1, N, ·] for N priors of the size run), and leaves the decoding to ssd-box.decode.ts,
 * which computes the priors for each size.
 *
 * Why one graph for every size: a session per input size cost ~18 ms to build and ~17 MB each,
 * and photos of many aspect ratios meet dozens of sizes (../shared/research/models.md,
 * "Detection"; docs/models.md).
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import { FLOAT, floatsOf } from './onnx-tensor.values.js';
import { ssdPriors } from './ssd-box.decode.js';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };

const RFB_BASE_SIZE = { width: 320, height: 240 } as const;
export const RFB_OUTPUTS = { scores: 'scores', regressions: 'regressions' } as const;

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1e-6) return false;
  return true;
}

/**
 * Checks that the graph's baked priors are the ones ssdPriors computes for 320x240 (so our
 * decoding is the graph's), then returns the any-size graph; throws if the graph is not the one
 * we know.
 */
export function rfbAnySizeGraph(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph!;
  const nodes = g.node ?? [];
  const base = ssdPriors(RFB_BASE_SIZE.width, RFB_BASE_SIZE.height);
  let centres = 0;
  let sizes = 0;
  for (const node of nodes) {
    if (node.opType !== 'Constant') continue;
    const t = node.attribute?.find((a) => a.name === 'value')?.t;
    if (!t || t.dataType !== FLOAT || t.dims?.length !== 3 || Number(t.dims[1]) !== base.centres.length / 2) continue;
    const v = floatsOf(t);
    if (sameValues(v, base.centres)) centres++;
    else if (sameValues(v, base.sizes)) sizes++;
    else throw new Error('fr_detect.onnx holds an unknown 1xNx2 constant: not the graph this rewrite knows');
  }
  const softmax = nodes.filter((n) => n.opType === 'Softmax');
  // The regressions: the axis-1 Concat whose output the decoding tail slices.
  const axis1 = (n: OnnxNs.INodeProto) => Number(n.attribute?.find((a) => a.name === 'axis')?.i ?? 0) === 1;
  const regressions = nodes.filter((n) => n.opType === 'Concat' && axis1(n) && nodes.some((s) => s.opType === 'Slice' && s.input?.[0] === n.output?.[0]));
  if (centres !== 1 || sizes !== 2 || softmax.length !== 1 || regressions.length !== 1 || softmax[0]!.output?.[0] !== RFB_OUTPUTS.scores) {
    throw new Error(`fr_detect.onnx is not the graph this rewrite knows (prior constants ${centres}/1 and ${sizes}/2, softmax ${softmax.length}, regressions ${regressions.length})`);
  }

  const tail = regressions[0]!.output![0]!;
  regressions[0]!.output = [RFB_OUTPUTS.regressions];
  // Keep only what the two outputs need: the decoding tail and its constants go.
  const producer = new Map<string, OnnxNs.INodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const keep = new Set<OnnxNs.INodeProto>();
  const todo: string[] = [RFB_OUTPUTS.scores, RFB_OUTPUTS.regressions];
  while (todo.length > 0) {
    const n = producer.get(todo.pop()!);
    if (!n || keep.has(n)) continue;
    keep.add(n);
    todo.push(...(n.input ?? []));
  }
  g.node = nodes.filter((n) => keep.has(n));
  if (g.node.some((n) => n.input?.includes(tail))) throw new Error('fr_detect.onnx: the regressions feed more than the decoding tail');
  const used = new Set(g.node.flatMap((n) => n.input ?? []));
  g.initializer = (g.initializer ?? []).filter((t) => used.has(t.name!));

  const dims = (...d: (number | string)[]) => ({ dim: d.map((x) => (typeof x === 'number' ? { dimValue: x } : { dimParam: x })) });
  g.input![0]!.type = { tensorType: { elemType: FLOAT, shape: dims(1, 3, 'height', 'width') } };
  g.output = [
    { name: RFB_OUTPUTS.scores, type: { tensorType: { elemType: FLOAT, shape: dims(1, 'priors', 2) } } },
    { name: RFB_OUTPUTS.regressions, type: { tensorType: { elemType: FLOAT, shape: dims(1, 'priors', 4) } } },
  ];
  return onnx.ModelProto.encode(m).finish();
}
