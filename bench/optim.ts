// Optimizer updates (kernels/optim.wgsl: one in-place dispatch per parameter tensor) vs TensorFlow.js
// WebGPU's tf.train.adam / tf.train.momentum on the same device. GB/s counts the minimal traffic per
// element: Adam reads g, p, m, v and writes p, m, v (7 × 4 bytes); SGD with momentum reads g, p, buf
// and writes p, buf (5 × 4 bytes). Two parameter sets: one big tensor (bandwidth) and 213 tensors of
// log-uniform sizes totalling ~5.3 M, EfficientNet-B0-like (per-dispatch overhead).
//   npm run bench -- optim [--quick]
import { Adam } from '../src/nn/optim/adam.ts';
import type { Optimizer } from '../src/nn/optim/optimizer.ts';
import { SGD } from '../src/nn/optim/sgd.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import { requireGrad } from '../src/tensor/tape.ts';
import { timeInterleaved, type TimedWork } from './lib/timing.ts';
import type { Bench, BenchCase } from './lib/types.ts';

const random = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

function b0LikeSizes(rng: Rng, count = 213, total = 5.3e6): number[] {
  const raw = Array.from({ length: count }, () => Math.exp(rng.uniform(Math.log(16), Math.log(4e5))));
  const s = total / raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => Math.max(1, Math.round(v * s)));
}

export const bench: Bench = {
  description: 'optimizer step (Adam, SGD+momentum), ours vs TensorFlow.js WebGPU tf.train, minimal-traffic GB/s',
  unit: 'GB/s',
  async run(ctx) {
    const { gpu } = ctx;
    const peer = await ctx.tf();
    const { tf } = peer;
    const rng = new Rng(7);
    const drained = () => gpu.sync();
    const sets: [string, number[]][] = [['1 tensor × 4,000,037', [4_000_037]]];
    if (!ctx.quick) sets.push(['213 tensors, 5.3 M (B0-like)', b0LikeSizes(rng)]);
    const out: BenchCase[] = [];
    for (const [setName, sizes] of sets) {
      const total = sizes.reduce((a, b) => a + b, 0);
      const hostP = sizes.map((n) => random(rng, n));
      const hostG = sizes.map((n) => random(rng, n));
      for (const kind of ['adam', 'sgd-momentum'] as const) {
        const params = hostP.map((h) => requireGrad(tensor(h, [h.length])));
        params.forEach((p, i) => (p.grad = tensor(hostG[i], [hostG[i].length])));
        const opt: Optimizer = kind === 'adam' ? new Adam(params, { lr: 1e-3 }) : new SGD(params, { lr: 1e-3, momentum: 0.9 });
        const vars = hostP.map((h, i) => tf.variable(tf.tensor1d(h), true, `p${i}_${kind}_${setName.length}`));
        const grads = hostG.map((h, i) => ({ name: vars[i].name, tensor: tf.tensor1d(h) }));
        const tfOpt = kind === 'adam' ? tf.train.adam(1e-3, 0.9, 0.999, 1e-8) : tf.train.momentum(1e-3, 0.9);

        // One step from the same state must give the same parameters before speeds mean anything.
        opt.step();
        tfOpt.applyGradients(grads);
        let diff = 0;
        for (let i = 0; i < Math.min(3, params.length); i++) {
          const a = await params[i].readF32();
          const b = (await vars[i].data()) as Float32Array;
          for (let j = 0; j < a.length; j++) diff = Math.max(diff, Math.abs(a[j] - b[j]));
        }
        if (!(diff < 1e-5)) throw new Error(`${setName} ${kind}: ours and TF.js disagree after one step (max |Δ| ${diff})`);

        const ours: TimedWork = { record: () => opt.step(), submit: () => gpu.flush(), drained, release: () => {} };
        const theirs: TimedWork = { record: () => tfOpt.applyGradients(grads), submit: () => peer.flush(), drained, release: () => {} };
        const [o, p] = await timeInterleaved([ours, theirs], { batches: ctx.quick ? 3 : 5, maxReps: 32 });
        const gb = ((kind === 'adam' ? 7 : 5) * total * 4) / 1e9;
        const oursGBs = gb / (o.bestMs / 1e3);
        const peerGBs = gb / (p.bestMs / 1e3);
        out.push({
          case: `${kind} ${setName}`, ours: oursGBs, peer: peerGBs, peerName: peer.name, ratio: oursGBs / peerGBs,
          oursMs: o.bestMs, peerMs: p.bestMs, dispatchesPerStep: sizes.length,
        });
        ctx.log(`${kind} ${setName}: ours ${o.bestMs.toFixed(2)} ms (${oursGBs.toFixed(2)} GB/s), peer ${p.bestMs.toFixed(2)} ms, ratio ${(oursGBs / peerGBs).toFixed(2)}×`);
        opt.dispose();
        params.forEach((t) => (t.grad?.dispose(), t.dispose()));
        vars.forEach((v) => v.dispose());
        grads.forEach((g) => g.tensor.dispose());
        tfOpt.dispose();
      }
    }
    return out;
  },
};
