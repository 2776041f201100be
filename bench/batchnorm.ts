// Batch norm 2d: our fused kernels (kernels/batchnorm.wgsl, NCHW) vs TensorFlow.js WebGPU (NHWC) on
// the same device, at EfficientNet-like shapes. GB/s counts the minimal traffic of each job (every
// input read once, every output written once): forward x + y; training forward + backward
// x + y + x + gy + gx (the per-channel vectors are negligible).
// Peer: training forward = tf.moments + tf.batchNorm; eval = tf.batchNorm; backward = the same
// formula written with TF.js ops (TF.js's tf.grads needs the gradient registry, which the Node
// bundle of tfjs-core does not load — what its autodiff would dispatch is this composition).
//   npm run bench -- batchnorm [--quick]
import { batchNorm2d } from '../src/ops/batchnorm.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import { keep, tidy } from '../src/tensor/scope.ts';
import { requireGrad } from '../src/tensor/tape.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { timeBatches, type TimedWork } from './lib/timing.ts';
import type { Bench, BenchCase } from './lib/types.ts';

interface Shape { name: string; x: [number, number, number, number]; quick?: boolean }

const SHAPES: Shape[] = [
  { name: '8×32×112×112 (stem)', x: [8, 32, 112, 112], quick: true },
  { name: '8×24×56×56', x: [8, 24, 56, 56] },
  { name: '8×40×28×28', x: [8, 40, 28, 28] },
  { name: '8×112×14×14', x: [8, 112, 14, 14], quick: true },
  { name: '8×1280×7×7 (head)', x: [8, 1280, 7, 7] },
];

const random = (rng: Rng, n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

export const bench: Bench = {
  description: 'batch norm 2d (training fwd, eval fwd, training fwd+bwd), ours vs TensorFlow.js WebGPU, minimal-traffic GB/s',
  unit: 'GB/s',
  async run(ctx) {
    const { gpu } = ctx;
    const peer = await ctx.tf();
    const { tf } = peer;
    const rng = new Rng(99);
    const out: BenchCase[] = [];
    const drained = () => gpu.sync();
    for (const s of SHAPES.filter((v) => !ctx.quick || v.quick)) {
      const [N, C, H, W] = s.x;
      const n = N * C * H * W;
      const hx = random(rng, n, -2, 3);
      const hgy = random(rng, n);
      const hg = random(rng, C, 0.5, 1.5);
      const hb = random(rng, C);
      const x = keep(tensor(hx, s.x));
      const gy = keep(tensor(hgy, s.x));
      const gamma = keep(tensor(hg, [C]));
      const beta = keep(tensor(hb, [C]));
      const rm = keep(tensor(new Float32Array(C), [C]));
      const rv = keep(tensor(new Float32Array(C).fill(1), [C]));
      const xg = requireGrad(keep(tensor(hx, s.x)));

      let mine: Tensor[] = [];
      const ours = (job: () => Tensor[]): TimedWork => ({
        record: () => void mine.push(...job()),
        submit: () => gpu.flush(),
        drained,
        release: () => (mine.forEach((t) => t.dispose()), (mine = [])),
      });
      const oursJobs: Record<string, () => Tensor[]> = {
        'train fwd': () => [batchNorm2d(x, gamma, beta, rm, rv, { training: true, eps: 1e-3 })],
        'eval fwd': () => [batchNorm2d(x, gamma, beta, rm, rv, { training: false, eps: 1e-3 })],
        // A backward needs its graph: the job is a whole training-mode forward + backward.
        'train bwd': () => {
          const y = batchNorm2d(xg, gamma, beta, null, null, { training: true, eps: 1e-3 });
          y.backward(gy);
          const g = xg.grad!;
          xg.grad = null;
          return [y, g];
        },
      };

      const nhwc = (h: Float32Array) => tf.tidy(() => tf.transpose(tf.tensor4d(h, [N, C, H, W]), [0, 2, 3, 1]));
      const [tx, tgy] = [nhwc(hx), nhwc(hgy)];
      const tg = tf.tensor1d(hg), tb = tf.tensor1d(hb), tmean = tf.zeros([C]), tvar = tf.ones([C]);
      let theirs: { dispose(): void }[] = [];
      const peerWork = (job: () => { dispose(): void }[]): TimedWork => ({
        record: () => void theirs.push(...job()),
        submit: () => peer.flush(),
        drained,
        release: () => (theirs.forEach((t) => t.dispose()), (theirs = [])),
      });
      const peerJobs: Record<string, () => { dispose(): void }[]> = {
        'train fwd': () => tf.tidy(() => {
          const m = tf.moments(tx, [0, 1, 2]);
          return [tf.batchNorm(tx, m.mean, m.variance, tb, tg, 1e-3)];
        }) as never,
        'eval fwd': () => [tf.batchNorm(tx, tmean, tvar, tb, tg, 1e-3)],
        'train bwd': () => tf.tidy(() => {
          const m = tf.moments(tx, [0, 1, 2]);
          const invstd = tf.rsqrt(tf.add(m.variance, 1e-3));
          const xhat = tf.mul(tf.sub(tx, m.mean), invstd);
          const y = tf.add(tf.mul(xhat, tg), tb);
          const gbeta = tf.sum(tgy, [0, 1, 2]);
          const ggamma = tf.sum(tf.mul(tgy, xhat), [0, 1, 2]);
          const cnt = N * H * W;
          const gx = tf.mul(tf.mul(tg, invstd), tf.sub(tf.sub(tgy, tf.div(gbeta, cnt)), tf.mul(xhat, tf.div(ggamma, cnt))));
          return [y, gx];
        }),
      };

      // Both sides must compute the same thing before their speeds mean anything.
      const ourY = batchNorm2d(x, gamma, beta, null, null, { training: true, eps: 1e-3 });
      const ourValues = await ourY.readF32();
      ourY.dispose();
      const peerY = tf.tidy(() => {
        const m = tf.moments(tx, [0, 1, 2]);
        return tf.transpose(tf.batchNorm(tx, m.mean, m.variance, tb, tg, 1e-3), [0, 3, 1, 2]);
      });
      const peerValues = (await peerY.data()) as Float32Array;
      peerY.dispose();
      let diff = 0;
      for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(ourValues[i] - peerValues[i]));
      if (!(diff < 1e-3)) throw new Error(`${s.name}: ours and TF.js disagree (max |Δ| ${diff})`);

      const timings: Record<string, { ours: number; peer: number }> = {};
      for (const job of Object.keys(oursJobs)) {
        const o = await timeBatches(ours(oursJobs[job]), { batches: ctx.quick ? 3 : 5, maxReps: 16 });
        const p = await timeBatches(peerWork(peerJobs[job]), { batches: ctx.quick ? 3 : 5, maxReps: 16 });
        timings[job] = { ours: o.bestMs, peer: p.bestMs };
      }
      const rows: [string, number, number, number][] = [
        ['train fwd', timings['train fwd'].ours, timings['train fwd'].peer, 2],
        ['eval fwd', timings['eval fwd'].ours, timings['eval fwd'].peer, 2],
        ['train fwd+bwd', timings['train bwd'].ours, timings['train bwd'].peer, 5],
      ];
      for (const [job, oMs, pMs, tensors] of rows) {
        const gb = (tensors * n * 4) / 1e9;
        const oursGBs = gb / (oMs / 1e3);
        const peerGBs = gb / (pMs / 1e3);
        out.push({
          case: `${s.name} ${job}`, ours: oursGBs, peer: peerGBs, peerName: peer.name, ratio: oursGBs / peerGBs,
          oursMs: oMs, peerMs: pMs,
        });
        ctx.log(`${s.name} ${job}: ours ${oMs.toFixed(2)} ms (${oursGBs.toFixed(2)} GB/s), peer ${pMs.toFixed(2)} ms, ratio ${(oursGBs / peerGBs).toFixed(2)}×`);
      }
      tidy(() => [x, gy, gamma, beta, rm, rv, xg].forEach((t) => t.dispose()));
      [tx, tgy, tg, tb, tmean, tvar].forEach((t) => t.dispose());
      gpu.trim();
    }
    return out;
  },
};
