// EfficientNet-B0 benchmark: images/s of an eval-mode forward and of one training step (train-mode
// BN forward, backward of sum(features·r), SGD update), ours vs the same network in TensorFlow.js
// WebGPU ops on the same device (bench/lib/efficientnet-tfjs.ts, same weights, TF-SAME padding on
// both sides, outputs checked equal first), batches interleaved; plus PyTorch CPU (Debian's torch,
// 2 threads, torchvision's B0) run by bench/reference/efficientnet_torch.py for the same cases.
//   npm run bench -- efficientnet [--quick]      (--quick: 128² only)
// Each case also carries our per-kernel GPU profile (timestamp queries, one run) and the share of
// the wall time the kernels account for (the rest is dispatch/submit overhead and host work).
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { formatProfile, type KernelTime } from '../src/gpu/profiler.ts';
import { EfficientNet, readEfficientNetState } from '../src/models/index.ts';
import { SGD } from '../src/nn/optim/sgd.ts';
import { mul } from '../src/ops/elementwise.ts';
import { sum } from '../src/ops/reduce.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import { tidy } from '../src/tensor/scope.ts';
import { noGrad } from '../src/tensor/tape.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { registerTfGradients, tfEfficientNet } from './lib/efficientnet-tfjs.ts';
import { setProfiling } from './lib/profiling.ts';
import { timeInterleaved } from './lib/timing.ts';
import type { Bench, BenchCase, BenchContext } from './lib/types.ts';

const CASES = [
  { size: 128, batch: 2, quick: true },
  { size: 224, batch: 1, quick: false },
];

interface TorchCase { size: number; batch: number; forward: number; train: number }

/** PyTorch runs on the same 2 shared cores but not interleaved with us: its figure moves with the
 *  machine's load far more than our ratio to TF.js does, so the load around it is recorded. */
function torchPeer(ctx: BenchContext, cases: typeof CASES): { cases: TorchCase[]; name: string; load: [number, number] } | null {
  try {
    const before = loadavg()[0];
    const args = ['bench/reference/efficientnet_torch.py', ...cases.map((c) => `${c.size}:${c.batch}`), '--reps', ctx.quick ? '1' : '2'];
    const r = JSON.parse(execFileSync('/usr/bin/python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    return { cases: r.cases, name: `PyTorch ${r.torch} CPU (${r.threads} threads)`, load: [before, loadavg()[0]] };
  } catch (e) {
    ctx.log(`PyTorch CPU peer unavailable: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

/** GPU time per kernel of one call of `work` (profiler on), and the total. */
async function profileOnce(ctx: BenchContext, work: () => void): Promise<{ rows: KernelTime[]; gpuMs: number } | null> {
  setProfiling(ctx.gpu, true);
  const prof = ctx.gpu.profiler;
  try {
    if (!prof) return null;
    await ctx.gpu.sync();
    await prof.report();
    prof.reset();
    work();
    await ctx.gpu.sync();
    const rows = await prof.report();
    return { rows, gpuMs: rows.reduce((s, r) => s + r.totalMs, 0) };
  } finally {
    prof?.reset();
    setProfiling(ctx.gpu, false);
  }
}

const random = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

export const bench: Bench = {
  description: 'EfficientNet-B0 forward (eval) and training step (fwd + bwd + SGD), images/s, ours vs TensorFlow.js WebGPU ops on the same device; PyTorch CPU alongside',
  unit: 'images/s',
  async run(ctx) {
    const { gpu } = ctx;
    const peer = await ctx.tf();
    const { tf } = peer;
    await registerTfGradients();
    const cases = CASES.filter((c) => !ctx.quick || c.quick);
    const torch = torchPeer(ctx, cases);
    const model = new EfficientNet('b0', { padding: 'same', dropConnect: 0, seed: 3 });
    let tfm = tfEfficientNet(tf, model.config, await readEfficientNetState(model));
    const opt = new SGD(model.namedParameters(), { lr: 1e-3 });
    const tfOpt = tf.train.sgd(1e-3);
    const rng = new Rng(5);
    const out: BenchCase[] = [];

    for (const c of cases) {
      const xShape: [number, number, number, number] = [c.batch, 3, c.size, c.size];
      const hx = random(rng, c.batch * 3 * c.size * c.size);
      const hr = random(rng, c.batch * model.numFeatures);
      const x = tensor(hx, xShape), r = tensor(hr, [c.batch, model.numFeatures]);
      const tx = tf.transpose(tf.tensor(hx, xShape), [0, 2, 3, 1]) as import('@tensorflow/tfjs-core').Tensor4D;
      const tr = tf.tensor(hr, [c.batch, model.numFeatures]);

      // Same numbers on both sides before anything is timed (eval mode: running statistics). The
      // previous case's training steps moved our weights and BN statistics: copy them over again.
      tfm.dispose();
      tfm = tfEfficientNet(tf, model.config, await readEfficientNetState(model));
      model.eval();
      const mine = noGrad(() => model.forward(x));
      const theirs = tf.tidy(() => tfm.forward(tx, false));
      const a = await mine.readF32(), b = (await theirs.data()) as Float32Array;
      mine.dispose();
      theirs.dispose();
      let scale = 0, diff = 0;
      for (let i = 0; i < b.length; i++) (scale = Math.max(scale, Math.abs(b[i]))), (diff = Math.max(diff, Math.abs(a[i] - b[i])));
      if (!(a.length === b.length && diff <= 1e-3 * scale)) throw new Error(`${c.size}²: ours and TF.js disagree (max |Δ| ${diff} of scale ${scale})`);

      const steps = {
        forward: {
          ours: () => noGrad(() => model.eval().forward(x)),
          peer: () => tf.tidy(() => tfm.forward(tx, false)),
        },
        train: {
          ours: () => {
            model.train();
            const loss = tidy(() => sum(mul(model.forward(x), r)));
            loss.backward();
            loss.dispose();
            opt.step();
            opt.zeroGrad();
            return null;
          },
          peer: () => {
            tf.tidy(() => {
              const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tfm.forward(tx, true), tr)) as import('@tensorflow/tfjs-core').Scalar, tfm.trainable);
              tfOpt.applyGradients(grads);
            });
            return null;
          },
        },
      };
      for (const kind of ['forward', 'train'] as const) {
        let mineOut: Tensor[] = [];
        let theirOut: { dispose(): void }[] = [];
        const s = steps[kind];
        const [o, p] = await timeInterleaved([
          {
            record: () => void (((t) => t && mineOut.push(t))(s.ours())),
            submit: () => gpu.flush(),
            drained: () => gpu.sync(),
            release: () => (mineOut.forEach((t) => t.dispose()), (mineOut = [])),
          },
          {
            record: () => void (((t) => t && theirOut.push(t))(s.peer())),
            submit: () => peer.flush(),
            drained: () => gpu.sync(),
            release: () => (theirOut.forEach((t) => t.dispose()), (theirOut = [])),
          },
        ], { batches: ctx.quick ? 2 : 3, targetMs: 400, maxReps: 4 });
        const prof = await profileOnce(ctx, () => void ((t) => t?.dispose())(s.ours()));
        const ours = c.batch / (o.bestMs / 1e3), theirs = c.batch / (p.bestMs / 1e3);
        const tc = torch?.cases.find((t) => t.size === c.size && t.batch === c.batch);
        const torchIps = tc ? tc[kind] : null;
        const row: BenchCase = {
          case: `B0 ${kind} ${c.batch}×3×${c.size}×${c.size}`, ours, peer: theirs, peerName: peer.name, ratio: ours / theirs,
          oursMs: o.bestMs, peerMs: p.bestMs, oursMedianMs: o.medianMs, peerMedianMs: p.medianMs,
          torchCpu: torchIps, torchCpuName: torch?.name ?? null, torchCpuLoadavg: torch?.load ?? null, ratioVsTorchCpu: torchIps ? ours / torchIps : null,
          oursGpuMs: prof?.gpuMs ?? null, kernelShareOfWall: prof ? prof.gpuMs / o.bestMs : null,
          dispatches: prof ? prof.rows.reduce((n, k) => n + k.calls, 0) : null,
          profile: prof?.rows.slice(0, 15).map((k) => ({ kernel: k.kernel, calls: k.calls, ms: Math.round(k.totalMs * 100) / 100 })) ?? null,
        };
        out.push(row);
        ctx.log(`${row.case}: ours ${ours.toFixed(3)}, TF.js ${theirs.toFixed(3)} images/s (×${row.ratio!.toFixed(2)})` +
          (torchIps ? `, PyTorch CPU ${torchIps.toFixed(3)} (×${(ours / torchIps).toFixed(2)})` : ''));
        if (prof) ctx.log(`our kernels: ${prof.gpuMs.toFixed(0)} ms GPU of ${o.bestMs.toFixed(0)} ms wall\n${formatProfile(prof.rows, 12)}`);
      }
      [x, r].forEach((t) => t.dispose());
      [tx, tr].forEach((t) => t.dispose());
      gpu.trim();
    }
    tfm.dispose();
    opt.dispose();
    model.dispose();
    return out;
  },
};
