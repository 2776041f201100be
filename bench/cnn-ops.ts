// The CNN library's non-convolution kernels (pooling, resize, pad, SE gate, dropout, cross-entropy)
// vs TensorFlow.js WebGPU on the same device, at EfficientNet-like shapes. Ours run NCHW, TF.js NHWC
// (its native layout). GB/s counts the minimal traffic of the job (inputs read once, outputs written
// once, f32). Where both compute the same function the outputs are compared before timing.
//   npm run bench -- cnn-ops [--quick]
import { dropout } from '../src/ops/dropout.ts';
import { crossEntropy } from '../src/ops/losses.ts';
import { pad2d } from '../src/ops/pad.ts';
import { avgPool2d, globalAvgPool2d, maxPool2d } from '../src/ops/pool.ts';
import { resizeBilinear } from '../src/ops/resize.ts';
import { channelScale } from '../src/ops/squeeze-excite.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { timeBatches, type TimedWork } from './lib/timing.ts';
import type { Bench, BenchCase } from './lib/types.ts';

type Tf = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

interface Case {
  name: string;
  /** NCHW shapes of the inputs (the first is the image-shaped one) */
  inputs: number[][];
  /** elements read + written by one call */
  elements: number;
  ours: (xs: Tensor[]) => Tensor;
  /** TF.js on NHWC copies of 4-D inputs (other inputs as given) */
  peer: (tf: Tf, xs: TfTensor[]) => TfTensor;
  /** compare outputs (false where the functions differ: random masks, border conventions) */
  compare: boolean;
  quick?: boolean;
}

const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
const LABELS = Array.from({ length: 256 }, (_, i) => (i * 7919) % 1000);

const CASES: Case[] = [
  { name: 'globalAvgPool2d 8×112×28×28', inputs: [[8, 112, 28, 28]], elements: n([8, 112, 28, 28]) + 8 * 112, compare: true, quick: true,
    ours: ([x]) => globalAvgPool2d(x), peer: (tf, [x]) => tf.mean(x, [1, 2], true) },
  { name: 'maxPool2d 3×3/2 same 8×32×112×112', inputs: [[8, 32, 112, 112]], elements: n([8, 32, 112, 112]) * 1.25, compare: true, quick: true,
    ours: ([x]) => maxPool2d(x, 3, { stride: 2, padding: 'same' }), peer: (tf, [x]) => tf.maxPool(x as never, 3, 2, 'same') },
  { name: 'avgPool2d 3×3/2 same (pad excluded) 8×32×112×112', inputs: [[8, 32, 112, 112]], elements: n([8, 32, 112, 112]) * 1.25, compare: true,
    ours: ([x]) => avgPool2d(x, 3, { stride: 2, padding: 'same', countIncludePad: false }), peer: (tf, [x]) => tf.avgPool(x as never, 3, 2, 'same') },
  { name: 'resizeBilinear 8×3×224×224 → 256²', inputs: [[8, 3, 224, 224]], elements: n([8, 3, 224, 224]) + n([8, 3, 256, 256]), compare: false,
    ours: ([x]) => resizeBilinear(x, [256, 256]), peer: (tf, [x]) => tf.image.resizeBilinear(x as never, [256, 256], false, true) },
  { name: 'pad2d reflect 1 8×32×56×56', inputs: [[8, 32, 56, 56]], elements: n([8, 32, 56, 56]) + n([8, 32, 58, 58]), compare: true,
    ours: ([x]) => pad2d(x, 1, { mode: 'reflect' }), peer: (tf, [x]) => tf.mirrorPad(x as never, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect') },
  { name: 'channelScale (SE gate) 8×96×56×56', inputs: [[8, 96, 56, 56], [8, 96]], elements: 2 * n([8, 96, 56, 56]), compare: true, quick: true,
    ours: ([x, s]) => channelScale(x, s), peer: (tf, [x, s]) => tf.mul(x, tf.reshape(s, [8, 1, 1, 96])) },
  { name: 'dropout p=0.2 8×32×112×112', inputs: [[8, 32, 112, 112]], elements: 2 * n([8, 32, 112, 112]), compare: false,
    ours: ([x]) => dropout(x, 0.2), peer: (tf, [x]) => tf.dropout(x, 0.2) },
  { name: 'crossEntropy 256×1000', inputs: [[256, 1000]], elements: 256 * 1000, compare: true, quick: true,
    ours: ([z]) => crossEntropy(z, tensor(LABELS, [256], 'i32')),
    peer: (tf, [z]) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(LABELS, 'int32'), 1000), z) },
];

export const bench: Bench = {
  description: 'CNN non-conv kernels (pool, resize, pad, SE gate, dropout, cross-entropy), ours (NCHW) vs TensorFlow.js WebGPU (NHWC), minimal-traffic GB/s',
  unit: 'GB/s',
  async run(ctx) {
    const { gpu } = ctx;
    const peer = await ctx.tf();
    const { tf } = peer;
    const rng = new Rng(5);
    const out: BenchCase[] = [];
    const drained = () => gpu.sync();
    for (const c of CASES.filter((v) => !ctx.quick || v.quick)) {
      const hosts = c.inputs.map((s) => Float32Array.from({ length: n(s) }, () => rng.normal()));
      const xs = hosts.map((h, i) => tensor(h, c.inputs[i]));
      const txs = hosts.map((h, i) => {
        const s = c.inputs[i];
        return s.length === 4 ? tf.tidy(() => tf.transpose(tf.tensor(h, s), [0, 2, 3, 1])) : tf.tensor(h, s);
      });
      let diff: number | null = null;
      if (c.compare) {
        const o = c.ours(xs);
        const mine = await o.readF32();
        o.dispose();
        const t = tf.tidy(() => {
          const r = c.peer(tf, txs);
          return r.rank === 4 ? tf.transpose(r, [0, 3, 1, 2]) : r;
        });
        const theirs = (await t.data()) as Float32Array;
        t.dispose();
        let scale = 0;
        diff = 0;
        for (let i = 0; i < theirs.length; i++) {
          scale = Math.max(scale, Math.abs(theirs[i]));
          diff = Math.max(diff, Math.abs(theirs[i] - mine[i]));
        }
        if (mine.length !== theirs.length || !(diff <= 1e-4 * Math.max(1, scale))) {
          throw new Error(`${c.name}: ours and TF.js disagree (max |Δ| ${diff}, ${mine.length} vs ${theirs.length} values)`);
        }
      }
      let mine: Tensor[] = [];
      const ours: TimedWork = {
        record: () => void mine.push(c.ours(xs)),
        submit: () => gpu.flush(),
        drained,
        release: () => (mine.forEach((t) => t.dispose()), (mine = [])),
      };
      let theirs: TfTensor[] = [];
      const peerWork: TimedWork = {
        record: () => void theirs.push(tf.tidy(() => c.peer(tf, txs))),
        submit: () => peer.flush(),
        drained,
        release: () => (theirs.forEach((t) => t.dispose()), (theirs = [])),
      };
      const o = await timeBatches(ours, { batches: ctx.quick ? 3 : 5, maxReps: 16 });
      const p = await timeBatches(peerWork, { batches: ctx.quick ? 3 : 5, maxReps: 16 });
      const gb = (c.elements * 4) / 1e9;
      const oursGBs = gb / (o.bestMs / 1e3);
      const peerGBs = gb / (p.bestMs / 1e3);
      out.push({ case: c.name, ours: oursGBs, peer: peerGBs, peerName: peer.name, ratio: oursGBs / peerGBs, oursMs: o.bestMs, peerMs: p.bestMs, maxAbsDiffVsPeer: diff });
      ctx.log(`${c.name}: ours ${o.bestMs.toFixed(2)} ms, peer ${p.bestMs.toFixed(2)} ms, ratio ${(oursGBs / peerGBs).toFixed(2)}×`);
      xs.forEach((t) => t.dispose());
      txs.forEach((t) => t.dispose());
      gpu.trim();
    }
    return out;
  },
};
