// Standalone A/B of depthwise forward variants on small planes against TF.js WebGPU, all interleaved in
// one process (A B C … A B C …), by the median batch's CPU time of lavapipe's threads (bench/README.md
// "How it measures"): much quicker and steadier than the whole conv2d bench for trying kernel choices.
//   node --import tsx bench/depthwise-small.ts
//   VARIANTS='{"tiles":{"rows":0},"auto":{},"r4":{"rows":4}}' SHAPES='[[672,14,5,1],[1152,7,3,1,16]]' ROUNDS=3 \
//     node --import tsx bench/depthwise-small.ts
// VARIANTS: name → DepthwiseKernelOptions (src/ops/depthwise.ts); SHAPES: [C, plane, k, stride, N = 1],
// SAME padding. Prints one line per shape and round: TF.js ms, each variant's ms and TF.js ÷ variant.
import { loadavg } from 'node:os';
import '../src/gpu/node.ts';
import { initGpu } from '../src/gpu/device.ts';
import { convGeometry } from '../src/ops/conv-geometry.ts';
import { depthwiseForwardRaw, type DepthwiseKernelOptions } from '../src/ops/depthwise.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { tfjsPeer } from './lib/tfjs-peer.ts';
import { timeInterleaved, type TimedWork } from './lib/timing.ts';

const gpu = await initGpu({ profile: false });
const peer = await tfjsPeer(gpu);
const { tf } = peer;
type T4 = import('@tensorflow/tfjs-core').Tensor4D;
const variants = JSON.parse(process.env.VARIANTS ?? '{"tiles":{"rows":0},"auto":{}}') as Record<string, DepthwiseKernelOptions>;
const shapes = JSON.parse(process.env.SHAPES ?? '[[672,14,5,1],[1152,7,3,1],[1152,7,5,1],[480,14,3,1],[672,14,5,2]]') as number[][];
const rounds = Number(process.env.ROUNDS ?? 3);
const rng = new Rng(7);
const names = Object.keys(variants);

for (const [C, S, k, stride, N = 1] of shapes) {
  const xs: [number, number, number, number] = [N, C, S, S], ws: [number, number, number, number] = [C, 1, k, k];
  const g = convGeometry(xs, ws, { stride, padding: 'same', groups: C });
  const hx = Float32Array.from({ length: N * C * S * S }, () => rng.normal());
  const hw = Float32Array.from({ length: C * k * k }, () => rng.normal());
  const x = tensor(hx, xs), w = tensor(hw, ws);
  const tx = tf.transpose(tf.tensor(hx, xs), [0, 2, 3, 1]) as T4, tw = tf.transpose(tf.tensor(hw, ws), [2, 3, 0, 1]) as T4;
  const peerStep = () => tf.depthwiseConv2d(tx, tw, stride, 'same');
  const ref = (await tf.transpose(peerStep(), [0, 3, 1, 2]).data()) as Float32Array;
  const works: TimedWork[] = [];
  for (const name of names) {
    const y = depthwiseForwardRaw(x, w, null, g, variants[name]);
    const a = await y.readF32();
    y.dispose();
    let d = 0, scale = 0;
    for (let i = 0; i < a.length; i++) (d = Math.max(d, Math.abs(a[i] - ref[i]))), (scale = Math.max(scale, Math.abs(ref[i])));
    if (!(d <= 1e-4 * scale)) throw new Error(`${name}: ours and TF.js disagree (max |Δ| ${d} of scale ${scale})`);
    let outs: Tensor[] = [];
    works.push({
      record: () => void outs.push(depthwiseForwardRaw(x, w, null, g, variants[name])), submit: () => gpu.flush(),
      drained: () => gpu.sync(), release: () => (outs.forEach((t) => t.dispose()), (outs = [])),
    });
  }
  let theirs: { dispose(): void }[] = [];
  works.push({
    record: () => void theirs.push(peerStep()), submit: () => peer.flush(),
    drained: () => gpu.sync(), release: () => (theirs.forEach((t) => t.dispose()), (theirs = [])),
  });
  for (let r = 0; r < rounds; r++) {
    const res = await timeInterleaved(works, { batches: 5, targetMs: 200 });
    const tfMs = res[res.length - 1].medianCpuMs;
    if (tfMs === null) throw new Error('no CPU time (/proc/self/task) on this machine');
    console.log(`${N}×${C}×${S}² ${k}×${k}/${stride} (load ${loadavg()[0].toFixed(1)}): TF.js ${tfMs.toFixed(3)} ms | ` +
      names.map((n, i) => `${n} ${res[i].medianCpuMs!.toFixed(3)} (×${(tfMs / res[i].medianCpuMs!).toFixed(2)})`).join(' | '));
  }
  [x, w].forEach((t) => t.dispose());
  [tx, tw].forEach((t) => t.dispose());
}
process.exit(0);
