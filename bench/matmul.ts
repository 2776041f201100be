// Matmul: our kernel (as chooseMatmulKernel() picks it) vs TensorFlow.js WebGPU tf.matMul on the same
// device. Square sizes, the transposed layouts the backward uses, the tall-skinny products a conv
// lowers to (M = output pixels, K = Cin·kh·kw, N = Cout), and batched small ones.
import { matmulRaw, chooseMatmulKernel, type MatmulOptions } from '../src/ops/matmul.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { gpuMsPerCall } from './lib/profiling.ts';
import { cpus } from 'node:os';
import { timeInterleaved, type Timing } from './lib/timing.ts';
import type { Bench, BenchCase } from './lib/types.ts';

interface MatmulCase { name: string; M: number; N: number; K: number; batch?: number; transA?: boolean; transB?: boolean; quick?: boolean }

const CASES: MatmulCase[] = [
  { name: '256³', M: 256, N: 256, K: 256, quick: true },
  { name: '512³', M: 512, N: 512, K: 512 },
  { name: '1024³', M: 1024, N: 1024, K: 1024, quick: true },
  { name: '1024³ Aᵀ·B (weight grad)', M: 1024, N: 1024, K: 1024, transA: true },
  { name: '1024³ A·Bᵀ (input grad)', M: 1024, N: 1024, K: 1024, transB: true },
  { name: 'conv 112²: 12544×64, K=288', M: 12544, N: 64, K: 288, quick: true },
  { name: 'conv 56²: 3136×24, K=144', M: 3136, N: 24, K: 144 },
  { name: 'conv 28²: 784×192, K=1152', M: 784, N: 192, K: 1152 },
  { name: 'batch 32 × 64³', M: 64, N: 64, K: 64, batch: 32 },
  { name: 'batch 8 × 196×196, K=64', M: 196, N: 196, K: 64, batch: 8 },
];

function shapes(c: MatmulCase): [number[], number[]] {
  const a = c.transA ? [c.K, c.M] : [c.M, c.K];
  const b = c.transB ? [c.N, c.K] : [c.K, c.N];
  return c.batch ? [[c.batch, ...a], [c.batch, ...b]] : [a, b];
}

const random = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

export const bench: Bench = {
  description: 'f32 matmul, ours vs TensorFlow.js WebGPU tf.matMul on the same device',
  unit: 'GFLOP/s',
  async run(ctx) {
    const { gpu } = ctx;
    const peer = await ctx.tf();
    const { tf } = peer;
    const ceiling = ctx.ceiling('GFLOP/s');
    const rng = new Rng(1234);
    const out: BenchCase[] = [];
    for (const c of CASES.filter((x) => !ctx.quick || x.quick)) {
      const [sa, sb] = shapes(c);
      const ha = random(rng, sa.reduce((x, y) => x * y, 1));
      const hb = random(rng, sb.reduce((x, y) => x * y, 1));
      const gflop = (2 * (c.batch ?? 1) * c.M * c.N * c.K) / 1e9;
      const o: MatmulOptions = { transA: c.transA, transB: c.transB };
      const choice = chooseMatmulKernel(gpu.adapter, c.M, c.N, c.K, o);
      const kernel = choice.kind + (choice.repackB ? '+repackB' : '');

      // ours
      const a = tensor(ha, sa), b = tensor(hb, sb);
      let mine: Tensor[] = [];
      const oursWork = {
        record: () => void mine.push(matmulRaw(a, b, o)),
        submit: () => gpu.flush(),
        drained: () => gpu.sync(),
        release: () => (mine.forEach((t) => t.dispose()), (mine = [])),
      };
      const ourResult = matmulRaw(a, b, o);
      const ourValues = await ourResult.read();
      ourResult.dispose();

      // TF.js, same inputs; then both timed, batches interleaved
      const ta = tf.tensor(ha, sa), tb = tf.tensor(hb, sb);
      let theirs: { dispose(): void }[] = [];
      const peerWork = {
        record: () => void theirs.push(tf.matMul(ta, tb, !!c.transA, !!c.transB)),
        submit: () => peer.flush(),
        drained: () => gpu.sync(),
        release: () => (theirs.forEach((t) => t.dispose()), (theirs = [])),
      };
      const [ours, peerT] = await timeInterleaved([oursWork, peerWork], { batches: ctx.quick ? 3 : 5 });
      const tr = tf.matMul(ta, tb, !!c.transA, !!c.transB);
      const peerValues = (await tr.data()) as Float32Array;
      tr.dispose();

      // GPU timestamps: kernel time only, a few calls each
      let oursGpu: number | null = null, peerGpu: number | null = null;
      if (ctx.gpuTiming) {
        const reps = Math.max(1, Math.min(8, ours.reps));
        const ms = await gpuMsPerCall(gpu, 'matmul', reps, oursWork.record, oursWork.release);
        oursGpu = ms ? gflop / (ms / 1e3) : null;
        const info = await tf.time(() => { for (let i = 0; i < reps; i++) peerWork.record(); });
        peerWork.release();
        peerGpu = typeof info.kernelMs === 'number' && info.kernelMs > 0 ? gflop / (info.kernelMs / reps / 1e3) : null;
      }
      a.dispose(); b.dispose(); ta.dispose(); tb.dispose();

      let scale = 0, diff = 0;
      for (let i = 0; i < peerValues.length; i++) {
        scale = Math.max(scale, Math.abs(peerValues[i]));
        diff = Math.max(diff, Math.abs(peerValues[i] - ourValues[i]));
      }
      if (!(diff <= 1e-4 * scale)) throw new Error(`${c.name}: ours and TF.js disagree (max |Δ| ${diff} of scale ${scale})`);

      // Speed by worker CPU time × cores: what a quiet machine would give (see lib/cputime.ts).
      const byCpu = (t: Timing) => (t.medianCpuMs ? (gflop / (t.medianCpuMs / 1e3)) * cpus().length : null);
      const oursCpu = byCpu(ours), peerCpu = byCpu(peerT);
      const oursG = gflop / (ours.bestMs / 1e3);
      const peerG = gflop / (peerT.bestMs / 1e3);
      const row: BenchCase = {
        case: c.name,
        ours: oursG,
        peer: peerG,
        peerName: peer.name,
        ratio: oursG / peerG,
        pctCeiling: ceiling ? (100 * oursG) / ceiling : null,
        oursGpu,
        peerGpu,
        oursCpu,
        peerCpu,
        ratioCpu: oursCpu && peerCpu ? oursCpu / peerCpu : null,
        pctCeilingCpu: ceiling && oursCpu ? (100 * oursCpu) / ceiling : null,
        kernel,
        shape: { M: c.M, N: c.N, K: c.K, batch: c.batch ?? 1, transA: !!c.transA, transB: !!c.transB },
        oursMs: { best: ours.bestMs, median: ours.medianMs, reps: ours.reps },
        peerMs: { best: peerT.bestMs, median: peerT.medianMs, reps: peerT.reps },
        maxRelDiffVsPeer: diff / scale,
      };
      ctx.log(`${c.name}: ours ${oursG.toFixed(2)} (${kernel}), peer ${peerG.toFixed(2)} GFLOP/s, ratio ${row.ratio!.toFixed(2)}×; by CPU time ${oursCpu?.toFixed(2)} vs ${peerCpu?.toFixed(2)}`);
      out.push(row);
      gpu.trim();
    }
    return out;
  },
};
