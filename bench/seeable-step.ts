// SeeABLE training step: images/s of one step of the `quick` preset (EfficientNet-B0 at 64², 8 faces
// × 2 views = 16 images; and 16 faces), projector, BCR + guidance loss, backward, Adam, as
// src/seeable/train.ts runs it (one loss readback per step), on synthetic random images and labels
// (the discrepancy generator and data loading are not timed: bench/seeable-train.ts times the loop). No peer: TF.js has no SeeABLE; bench/efficientnet.ts compares the
// encoder. The 8-face case also carries our per-kernel GPU profile of one step (timestamp queries).
//   npm run bench -- seeable-step [--quick]        (--quick: fewer steps)
import { formatProfile } from '../src/gpu/profiler.ts';
import { Adam } from '../src/nn/optim/adam.ts';
import { add, mul } from '../src/ops/elementwise.ts';
import { resolveConfig } from '../src/seeable/config.ts';
import { bcrLoss, guidanceLoss } from '../src/seeable/losses.ts';
import { buildSeeable } from '../src/seeable/setup.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import { tidy } from '../src/tensor/scope.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { workerCpuNs } from './lib/cputime.ts';
import { setProfiling } from './lib/profiling.ts';
import type { Bench, BenchCase, BenchContext } from './lib/types.ts';
import { cpus } from 'node:os';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export const bench: Bench = {
  description: 'SeeABLE training step (quick preset: B0 at 64², 8 faces × 2 views, Adam), fwd + bwd + optimizer, images/s',
  unit: 'images/s',
  async run(ctx) {
    const rows: BenchCase[] = [];
    // 8 faces (the quick preset) with its kernel profile; 16 shows what a larger batch buys per image
    for (const batchFaces of [8, 16]) rows.push(await stepCase(ctx, batchFaces, batchFaces === 8));
    return rows;
  },
};

async function stepCase(ctx: BenchContext, batchFaces: number, profile: boolean): Promise<BenchCase> {
  const { gpu } = ctx;
  const cfg = resolveConfig('quick', { batchFaces });
  const parts = buildSeeable(cfg);
  const opt = new Adam(parts.net.namedParameters(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
  const images = 2 * cfg.batchFaces;
  const S = cfg.size;
  const rng = new Rng(11);
  const hx = Float32Array.from({ length: images * 3 * S * S }, () => rng.normal());
  const classes = Array.from({ length: cfg.batchFaces }, () => rng.int(parts.K));
  const hy = Int32Array.from({ length: images }, (_, i) => classes[i >> 1]); // both views of a face share its class
  const x = tensor(hx, [images, 3, S, S]);
  const y = tensor(hy, [images], 'i32');

  /** Record one step as trainSeeable runs it (Adam branch): loss, backward, update. Returns the loss. */
  const record = (): Tensor => {
    parts.net.train();
    const loss = tidy(() => {
      const { z } = parts.net.embed(x);
      const bcr = bcrLoss(z, y, parts.prototypes, { tau: cfg.tau, form: cfg.bcrForm });
      return add(bcr, mul(guidanceLoss(z, y, parts.prototypes, parts.gtable), cfg.lambda));
    });
    loss.backward();
    opt.step();
    opt.zeroGrad();
    return loss;
  };
  /** One step with its loss readback, as train.ts runs it. */
  const step = async (): Promise<number> => {
    const loss = record();
    const v = await loss.item();
    loss.dispose();
    if (!Number.isFinite(v)) throw new Error(`seeable-step: the loss is ${v}`);
    return v;
  };

  for (let i = 0; i < 2; i++) await step(); // warm-up: pipelines, pooled buffers, optimizer state
  const steps = ctx.quick ? 4 : 10;
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = workerCpuNs();
    const t0 = performance.now();
    await step();
    const dt = performance.now() - t0;
    const c1 = workerCpuNs();
    wall.push(dt);
    if (c0 !== null && c1 !== null) cpu.push((c1 - c0) / 1e6);
  }
  const rate = (ms: number) => (images * 1000) / ms;
  const row: BenchCase = {
    case: `quick preset step: ${cfg.backbone} ${S}², ${cfg.batchFaces} faces × 2 views, ${cfg.optimizer}`,
    ours: rate(Math.min(...wall)),
    peer: null, peerName: 'none', ratio: null,
    oursMedian: rate(median(wall)),
    oursWorst: rate(Math.max(...wall)),
    // images per worker-CPU-second × cores: the speed with the machine to ourselves (bench/README.md)
    oursCpu: cpu.length === steps ? rate(median(cpu) / cpus().length) : null,
    steps,
    stepWallMs: wall.map(Math.round),
    stepCpuMs: cpu.map(Math.round),
    dispatchesPerStep: null as number | null,
  };

  // One profiled step: GPU time per kernel, and the dispatch count.
  if (ctx.gpuTiming && profile) {
    setProfiling(gpu, true);
    const prof = gpu.profiler!;
    try {
      await gpu.sync();
      await prof.report();
      prof.reset();
      const d0 = gpu.dispatches;
      await step();
      row.dispatchesPerStep = gpu.dispatches - d0;
      await gpu.sync();
      const rows = await prof.report();
      const total = rows.reduce((s, r) => s + r.totalMs, 0);
      row.gpuMs = total;
      row.oursGpu = (images * 1000) / total;
      row.profile = rows.slice(0, 25).map((r) => ({ kernel: r.kernel, calls: r.calls, ms: Math.round(r.totalMs * 10) / 10 }));
      ctx.log(`GPU time of one step ${total.toFixed(0)} ms over ${row.dispatchesPerStep} dispatches:\n${formatProfile(rows, 25)}`);
    } finally {
      prof.reset();
      setProfiling(gpu, false);
    }
  }
  const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '—');
  ctx.log(`${row.case}, ${steps} steps: ${f(row.ours)} images/s best, ${f(row.oursMedian)} median, ` +
    `${f(row.oursWorst)} worst, by CPU time ${f(row.oursCpu)}`);
  x.dispose();
  y.dispose();
  return row;
}
