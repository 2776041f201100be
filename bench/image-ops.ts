// Image kernels of the soft-discrepancy generator (src/ops/image) vs TensorFlow.js WebGPU on the same
// device: resize (tf.image.resizeBilinear, half-pixel), affine warp (tf.image.transform), Gaussian blur
// (two depthwise convolutions), 3×3 sharpen (depthwise conv + clip), colour affine (mul, add, clip) and
// the masked blend (mul, sub, mul, add). Batches of SBI-sized crops. GB/s counts the bytes each op must
// read and write once (f32); TF.js works in NHWC, ours in NCHW, on the same values.
// Values are cross-checked away from the borders (TF.js pads convolutions with zeros, we reflect).
// Run: npm run bench -- image-ops
import { cpus } from 'node:os';
import { blend } from '../src/ops/image/blend.ts';
import { gaussianBlur, gaussianKernel1d } from '../src/ops/image/blur.ts';
import { channelAffine, sharpen, sharpenKernel } from '../src/ops/image/color.ts';
import { cvResize } from '../src/ops/image/resize.ts';
import { affineAboutCenter, invertAffine, warpAffine } from '../src/ops/image/warp.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import type { Tensor } from '../src/tensor/tensor.ts';

type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;
type Tensor2D = import('@tensorflow/tfjs-core').Tensor2D;
import { timeInterleaved, type TimedWork } from './lib/timing.ts';
import type { Bench, BenchCase } from './lib/types.ts';

type Tf = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

interface Inputs { x: Tensor; t: Tensor; m: Tensor; tx: TfTensor; tt: TfTensor; tm: TfTensor }
interface Case {
  name: string;
  /** N, C, H, W of the input */
  shape: [number, number, number, number];
  /** output spatial size (default: the input's) */
  out?: [number, number];
  /** bytes one call must move */
  bytes: (n: number, c: number, h: number, w: number, oh: number, ow: number) => number;
  ours: (i: Inputs) => Tensor;
  peer: (tf: Tf, i: Inputs) => TfTensor;
  /** pixels left out of the value check at each border */
  border: number;
  quick?: boolean;
}

const F = 4;
const N = 8;
const M = affineAboutCenter(380, 380, { scale: 1.02, tx: 7.3, ty: -2.9 });
const SHARP = sharpenKernel(0.35, 0.75);
const G25 = gaussianKernel1d(25, 0);

const CASES: Case[] = [
  { name: `resize bilinear ${N}×3×380² → 256²`, shape: [N, 3, 380, 380], out: [256, 256], quick: true, border: 0,
    bytes: (n, c, h, w, oh, ow) => n * c * (h * w + oh * ow) * F,
    ours: (i) => cvResize(i.x, 256, 256, 'linear'),
    peer: (tf, i) => tf.image.resizeBilinear(i.tx as Tensor4D, [256, 256], false, true) },
  { name: `warpAffine bilinear ${N}×3×380²`, shape: [N, 3, 380, 380], quick: true, border: 2,
    bytes: (n, c, h, w) => 2 * n * c * h * w * F,
    ours: (i) => warpAffine(i.x, M, { interp: 'bilinear', border: 'constant' }),
    peer: (tf, i) => {
      const a = invertAffine(M);
      return tf.image.transform(i.tx as Tensor4D, tf.tile(tf.tensor2d([[a[0], a[1], a[2], a[3], a[4], a[5], 0, 0]]), [N, 1]) as Tensor2D, 'bilinear', 'constant', 0);
    } },
  { name: `Gaussian blur k 25 ${N}×1×256²`, shape: [N, 1, 256, 256], border: 12,
    bytes: (n, c, h, w) => 2 * n * c * h * w * F,
    ours: (i) => gaussianBlur(i.x, { k: 25 }),
    peer: (tf, i) => tf.depthwiseConv2d(tf.depthwiseConv2d(i.tx as Tensor4D, tf.tensor4d(G25, [1, 25, 1, 1]), 1, 'same'), tf.tensor4d(G25, [25, 1, 1, 1]), 1, 'same') },
  { name: `sharpen 3×3 ${N}×3×380²`, shape: [N, 3, 380, 380], quick: true, border: 1,
    bytes: (n, c, h, w) => 2 * n * c * h * w * F,
    ours: (i) => sharpen(i.x, { alpha: 0.35, lightness: 0.75 }),
    peer: (tf, i) => tf.clipByValue(tf.depthwiseConv2d(i.tx as Tensor4D, tf.tensor4d(Array.from({ length: 27 }, (_, j) => SHARP[Math.floor(j / 3)]), [3, 3, 3, 1]), 1, 'same'), 0, 1) },
  { name: `colour affine ${N}×3×380²`, shape: [N, 3, 380, 380], border: 0,
    bytes: (n, c, h, w) => 2 * n * c * h * w * F,
    ours: (i) => channelAffine(i.x, [1.1, 0.9, 1.05], [0.03, -0.02, 0.01]),
    peer: (tf, i) => tf.clipByValue(tf.add(tf.mul(i.tx, tf.tensor1d([1.1, 0.9, 1.05])), tf.tensor1d([0.03, -0.02, 0.01])), 0, 1) },
  { name: `masked blend ${N}×3×380²`, shape: [N, 3, 380, 380], quick: true, border: 0,
    bytes: (n, c, h, w) => (3 * n * c * h * w + n * h * w) * F,
    ours: (i) => blend(i.x, i.t, i.m),
    peer: (tf, i) => tf.add(tf.mul(i.tm, i.tx), tf.mul(tf.sub(1, i.tm), i.tt)) },
];

/** NCHW host data → NHWC host data. */
function toNhwc(x: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[(b * h * w + p) * c + ch] = x[(b * c + ch) * h * w + p];
  return out;
}

export const bench: Bench = {
  description: 'soft-discrepancy image kernels (resize, warp, blur, sharpen, colour, blend) vs TensorFlow.js WebGPU',
  unit: 'GB/s',
  async run(ctx) {
    const { gpu } = ctx;
    const peer = await ctx.tf();
    const { tf } = peer;
    const rng = new Rng(2024);
    const out: BenchCase[] = [];
    for (const c of CASES.filter((x) => !ctx.quick || x.quick)) {
      const [n, ch, h, w] = c.shape;
      const [oh, ow] = c.out ?? [h, w];
      const rand = (len: number) => Float32Array.from({ length: len }, () => rng.uniform());
      const hx = rand(n * ch * h * w), ht = rand(n * ch * h * w), hm = rand(n * h * w);
      const i: Inputs = {
        x: tensor(hx, c.shape), t: tensor(ht, c.shape), m: tensor(hm, [n, 1, h, w]),
        tx: tf.tensor4d(toNhwc(hx, c.shape), [n, h, w, ch]), tt: tf.tensor4d(toNhwc(ht, c.shape), [n, h, w, ch]),
        tm: tf.tensor4d(hm, [n, h, w, 1]),
      };
      let mine: Tensor[] = [];
      let theirs: TfTensor[] = [];
      const works: TimedWork[] = [
        { record: () => void mine.push(c.ours(i)), submit: () => gpu.flush(), drained: () => gpu.sync(),
          release: () => (mine.forEach((t) => t.dispose()), (mine = [])) },
        { record: () => void theirs.push(tf.tidy(() => c.peer(tf, i))), submit: () => peer.flush(), drained: () => gpu.sync(),
          release: () => (theirs.forEach((t) => t.dispose()), (theirs = [])) },
      ];
      const [o, p] = await timeInterleaved(works, { batches: ctx.quick ? 3 : 5, targetMs: 300 });

      // Values: ours (NCHW) against TF.js (NHWC) away from the borders.
      const ov = await c.ours(i).read();
      const pt = tf.tidy(() => c.peer(tf, i));
      const pv = (await pt.data()) as Float32Array;
      pt.dispose();
      let diff = 0;
      const b = c.border;
      for (let q = 0; q < n; q++) for (let k = 0; k < ch; k++) for (let y = b; y < oh - b; y++) for (let x = b; x < ow - b; x++) {
        diff = Math.max(diff, Math.abs(ov[((q * ch + k) * oh + y) * ow + x] - pv[((q * oh + y) * ow + x) * ch + k]));
      }
      if (!(diff < 1e-3)) throw new Error(`${c.name}: ours and TF.js disagree inside the borders (max |Δ| ${diff})`);
      Object.values(i).forEach((t) => t.dispose());

      const gb = c.bytes(n, ch, h, w, oh, ow) / 1e9;
      const oursG = gb / (o.bestMs / 1e3), peerG = gb / (p.bestMs / 1e3);
      const byCpu = (ms: number | null) => (ms ? (gb / (ms / 1e3)) * cpus().length : null);
      const oursCpu = byCpu(o.medianCpuMs), peerCpu = byCpu(p.medianCpuMs);
      out.push({
        case: c.name, ours: oursG, peer: peerG, peerName: peer.name, ratio: oursG / peerG,
        oursCpu, peerCpu, ratioCpu: oursCpu && peerCpu ? oursCpu / peerCpu : null,
        oursMs: { best: o.bestMs, median: o.medianMs, reps: o.reps }, peerMs: { best: p.bestMs, median: p.medianMs, reps: p.reps },
        maxAbsDiffVsPeer: diff,
      });
      ctx.log(`${c.name}: ours ${o.bestMs.toFixed(2)} ms (${oursG.toFixed(2)} GB/s), TF.js ${p.bestMs.toFixed(2)} ms, ratio ${(oursG / peerG).toFixed(2)}×` +
        (oursCpu && peerCpu ? `; by CPU time ×${(oursCpu / peerCpu).toFixed(2)}` : '') + `; max |Δ| ${diff.toExponential(1)}`);
      gpu.trim();
    }
    return out;
  },
};
