import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import type { onnx as OnnxNs } from 'onnx-proto';
import { OnnxGraphBuilder } from '../../../src/adapters/onnx/onnx-graph.builder.js';
import { applyGraphSpeedups } from '../../../src/adapters/onnx/graph-speedups.rewrite.js';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };

/**
 * x[1,2,4,4] → Conv 2→2 (one weight 1e-30, one 1e-13) → PRelu with slopes 0.25 and 1.5 (one above
 * 1: the three-pass form) → PRelu with slopes −0.3 and 0.6 (all under 1: the two-pass form).
 */
function model(): Uint8Array {
  const b = new OnnxGraphBuilder();
  const x = b.input('x', [1, 2, 4, 4]);
  const y = b.conv(x, { shape: [2, 2, 1, 1], data: Float32Array.of(0.5, 1e-30, -0.75, 1e-13) }, Float32Array.of(0.1, -0.2));
  const p = b.node('PRelu', [y, b.constant({ shape: [2, 1, 1], data: Float32Array.of(0.25, 1.5) }, 'slope')]);
  const q = b.node('PRelu', [p, b.constant({ shape: [2, 1, 1], data: Float32Array.of(-0.3, 0.6) }, 'slope2')]);
  b.output(q, 'out', [1, 2, 4, 4]);
  return b.build();
}

async function run(bytes: Uint8Array, x: Float32Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const out = await s.run({ x: new ort.Tensor('float32', x, [1, 2, 4, 4]) });
  await s.release();
  return out['out']!.data as Float32Array;
}

test('graph speedups zero near-zero weights, replace PRelu, and leave the outputs as they were', async () => {
  const original = model();
  const rewritten = applyGraphSpeedups(original);
  const g = onnx.ModelProto.decode(rewritten).graph!;
  assert.equal(g.node!.filter((n) => n.opType === 'PRelu').length, 0);
  assert.deepEqual(g.node!.map((n) => n.opType).filter((op) => op !== 'Conv' && op !== 'Identity'), ['Mul', 'Relu', 'Mul', 'Add', 'Mul', 'Relu', 'Add']);
  assert.ok(!g.initializer!.some((t) => t.name!.startsWith('slope2') && !t.name!.includes('__')), 'slopes no node reads are dropped');
  const weights = g.initializer!.find((t) => t.dims!.length === 4)!;
  const w = new Float32Array(new Uint8Array(weights.rawData!).buffer);
  assert.deepEqual([...w], [0.5, 0, -0.75, 0]);

  const x = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i * 1.7) * 3); // both signs
  const [a, b] = [await run(original, x), await run(rewritten, x)];
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6 * Math.max(1, Math.abs(a[i]!)), `output ${i}: ${a[i]} vs ${b[i]}`);
});

test('a graph with nothing to rewrite comes back as the same bytes', () => {
  const b = new OnnxGraphBuilder();
  b.output(b.relu(b.input('x', [1, 2])), 'out', [1, 2]);
  const bytes = b.build();
  assert.equal(applyGraphSpeedups(bytes), bytes);
});
