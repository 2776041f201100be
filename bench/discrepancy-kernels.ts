// Soft-discrepancy kernels: our WGSL 2-D FFT (Stockham, radix 8 by default; kernels/fft.wgsl) and the whole frequency
// perturbation (mirror pad → FFT → band gain → iFFT → crop, src/ops/image/frequency.ts) vs fft.js
// (radix-4, CPU, float64, rows then columns) in the same run, on 3-channel images.
// Speed in GFLOP/s by the FFT convention 5·N·log2(N) per N-point complex transform (the pipeline counts
// the forward and inverse transforms it runs: two channels share one complex transform, on both sides).
// Run: npm run bench -- discrepancy-kernels
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import FFT from 'fft.js';
import { fft2d } from '../src/ops/image/fft.ts';
import { frequencyBandGain, type BandParams } from '../src/ops/image/frequency.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { gpuMsPerCall } from './lib/profiling.ts';
import { workerCpuNs } from './lib/cputime.ts';
import { timeBatches, type TimedWork } from './lib/timing.ts';
import type { Bench, BenchCase } from './lib/types.ts';

type FftT = { transform(out: Float64Array, data: Float64Array): void; inverseTransform(out: Float64Array, data: Float64Array): void };
const plans = new Map<number, FftT>();
const plan = (n: number): FftT => {
  let p = plans.get(n);
  if (!p) plans.set(n, (p = new (FFT as unknown as new (n: number) => FftT)(n)));
  return p;
};

/** In-place 2-D complex FFT of interleaved planes [B, H, W] with fft.js along rows, then columns. */
function cpuFft2(z: Float64Array, planes: number, h: number, w: number, inverse = false): void {
  const row = plan(w), col = plan(h);
  const a = new Float64Array(2 * Math.max(h, w)), b = new Float64Array(2 * Math.max(h, w));
  const go = (f: FftT, out: Float64Array, data: Float64Array) => (inverse ? f.inverseTransform(out, data) : f.transform(out, data));
  for (let p = 0; p < planes; p++) {
    const base = 2 * p * h * w;
    for (let y = 0; y < h; y++) {
      const off = base + 2 * y * w;
      a.set(z.subarray(off, off + 2 * w));
      go(row, b.subarray(0, 2 * w), a.subarray(0, 2 * w));
      z.set(b.subarray(0, 2 * w), off);
    }
    for (let x = 0; x < w; x++) {
      for (let y = 0; y < h; y++) (a[2 * y] = z[base + 2 * (y * w + x)]), (a[2 * y + 1] = z[base + 2 * (y * w + x) + 1]);
      go(col, b.subarray(0, 2 * h), a.subarray(0, 2 * h));
      for (let y = 0; y < h; y++) (z[base + 2 * (y * w + x)] = b[2 * y]), (z[base + 2 * (y * w + x) + 1] = b[2 * y + 1]);
    }
  }
}

const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(n));
const reflect101 = (i: number, n: number) => {
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m >= n ? period - m : m;
};

/** The CPU counterpart of frequencyBandGain on [C, H, W] (fft.js transforms), with the same pairing of
 *  two channels per complex transform. */
function cpuBandGain(x: Float32Array, c: number, h: number, w: number, b: Required<Pick<BandParams, 'rhoLo' | 'gain' | 'halfWidth'>>): Float32Array {
  const ph = nextPow2(h), pw = nextPow2(w), top = (ph - h) >> 1, left = (pw - w) >> 1;
  const cp = Math.ceil(c / 2);
  const z = new Float64Array(2 * cp * ph * pw);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < ph; y++) for (let xx = 0; xx < pw; xx++) {
    z[2 * (((ch >> 1) * ph + y) * pw + xx) + (ch & 1)] = x[(ch * h + reflect101(y - top, h)) * w + reflect101(xx - left, w)];
  }
  cpuFft2(z, cp, ph, pw);
  const f = (u: number, n: number) => (u > n / 2 ? u - n : u) / (n / 2);
  for (let y = 0; y < ph; y++) for (let xx = 0; xx < pw; xx++) {
    const rho = Math.hypot(f(y, ph), f(xx, pw));
    const u = Math.min(1, Math.max(0, (rho - (b.rhoLo - b.halfWidth)) / (2 * b.halfWidth)));
    const g = 1 + (b.gain - 1) * (0.5 - 0.5 * Math.cos(Math.PI * u));
    for (let p = 0; p < cp; p++) {
      const i = 2 * ((p * ph + y) * pw + xx);
      z[i] *= g;
      z[i + 1] *= g;
    }
  }
  cpuFft2(z, cp, ph, pw, true);
  const out = new Float32Array(c * h * w);
  for (let i = 0; i < out.length; i++) {
    const xx = i % w, y = Math.floor(i / w) % h, ch = Math.floor(i / (h * w));
    out[i] = Math.min(1, Math.max(0, z[2 * (((ch >> 1) * ph + y + top) * pw + xx + left) + (ch & 1)]));
  }
  return out;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < a.length; i++) (scale = Math.max(scale, Math.abs(b[i]))), (diff = Math.max(diff, Math.abs(a[i] - b[i])));
  return diff / scale;
}

interface PairTiming { bestMs: number; medianMs: number; reps: number; medianCpuMs: number | null }

/** CPU time of Node's main thread (where fft.js runs), ns; null without /proc. */
function mainThreadCpuNs(): number | null {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/**
 * Time GPU work and a synchronous CPU function with their batches interleaved (G C G C …), so that load
 * from other processes hits both alike.
 */
async function timePair(work: TimedWork, cpu: () => void, batches: number, targetMs = 300): Promise<[PairTiming, PairTiming]> {
  let cpuNs: number | null = null;
  const delta = (read: () => number | null, c0: number | null) => {
    const c1 = read();
    cpuNs = c0 === null || c1 === null ? null : c1 - c0;
  };
  const gpuBatch = async (reps: number) => {
    const c0 = workerCpuNs();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) work.record();
    work.submit();
    await work.drained();
    const dt = performance.now() - t0;
    delta(workerCpuNs, c0);
    work.release();
    return dt;
  };
  const cpuBatch = (reps: number) => {
    const c0 = mainThreadCpuNs();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) cpu();
    const dt = performance.now() - t0;
    delta(mainThreadCpuNs, c0);
    return dt;
  };
  await gpuBatch(1);
  const gReps = Math.max(1, Math.min(64, Math.round(targetMs / Math.max(0.01, await gpuBatch(1)))));
  cpuBatch(1);
  const cReps = Math.max(1, Math.min(64, Math.round(targetMs / Math.max(0.01, cpuBatch(1)))));
  const g: number[] = [], gCpu: number[] = [];
  const c: number[] = [], cCpu: number[] = [];
  for (let b = 0; b < batches; b++) {
    const dt = await gpuBatch(gReps);
    g.push(dt / gReps);
    if (cpuNs !== null) gCpu.push(cpuNs / 1e6 / gReps);
    c.push(cpuBatch(cReps) / cReps);
    if (cpuNs !== null) cCpu.push(cpuNs / 1e6 / cReps);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const stat = (xs: number[], cpuMs: number[], reps: number) => ({
    bestMs: Math.min(...xs), medianMs: median(xs), reps, medianCpuMs: cpuMs.length === batches ? median(cpuMs) : null,
  });
  return [stat(g, gCpu, gReps), stat(c, cCpu, cReps)];
}

interface Case { name: string; kind: 'fft' | 'band'; c: number; h: number; w: number; quick?: boolean }
const CASES: Case[] = [
  { name: 'FFT 3×128² forward', kind: 'fft', c: 3, h: 128, w: 128, quick: true },
  { name: 'FFT 3×256² forward', kind: 'fft', c: 3, h: 256, w: 256, quick: true },
  { name: 'band gain 3×256² (FFT 256²)', kind: 'band', c: 3, h: 256, w: 256 },
  { name: 'band gain 3×380² (pad to 512²)', kind: 'band', c: 3, h: 380, w: 380, quick: true },
];

export const bench: Bench = {
  description: 'WGSL 2-D FFT and frequency band-gain perturbation vs fft.js (CPU) in the same run',
  unit: 'GFLOP/s',
  async run(ctx) {
    const { gpu } = ctx;
    const ceiling = ctx.ceiling('GFLOP/s');
    const rng = new Rng(77);
    const out: BenchCase[] = [];
    for (const c of CASES.filter((x) => !ctx.quick || x.quick)) {
      const ph = nextPow2(c.h), pw = nextPow2(c.w);
      const planes = c.kind === 'fft' ? c.c : 2 * Math.ceil(c.c / 2); // forward + inverse of the paired planes
      const gflop = (planes * 5 * ph * pw * Math.log2(ph * pw)) / 1e9;
      const band = { rhoLo: 0.5, gain: 0.3, halfWidth: 0.05 };
      let input: Tensor;
      let host: Float32Array;
      if (c.kind === 'fft') {
        host = Float32Array.from({ length: 2 * c.c * c.h * c.w }, () => rng.normal());
        input = tensor(host, [c.c, c.h, c.w, 2]);
      } else {
        host = Float32Array.from({ length: c.c * c.h * c.w }, () => rng.uniform());
        input = tensor(host, [c.c, c.h, c.w]);
      }
      const op = () => (c.kind === 'fft' ? fft2d(input) : frequencyBandGain(input, band));
      let made: Tensor[] = [];
      const oursWork: TimedWork = {
        record: () => void made.push(op()),
        submit: () => gpu.flush(),
        drained: () => gpu.sync(),
        release: () => (made.forEach((t) => t.dispose()), (made = [])),
      };
      // fft.js on the same data
      let peerValues: ArrayLike<number> = [];
      const peerRun = () => {
        if (c.kind === 'fft') {
          const z = Float64Array.from(host);
          cpuFft2(z, c.c, c.h, c.w);
          peerValues = z;
        } else {
          peerValues = cpuBandGain(host, c.c, c.h, c.w, band);
        }
      };
      const [ours, peerT] = await timePair(oursWork, peerRun, ctx.quick ? 3 : 5);
      const result = op();
      const ourValues = await result.read();
      result.dispose();
      peerRun();
      const rel = maxRelDiff(ourValues, peerValues);
      if (!(rel < 1e-5)) throw new Error(`${c.name}: ours and fft.js disagree (max rel diff ${rel})`);

      // The smaller-radix kernels on the same case (radix 2 is the reference path).
      const byRadix: Record<string, number> = {};
      if (c.kind === 'fft') {
        for (const radix of [4, 2] as const) {
          let made2: Tensor[] = [];
          const t = await timeBatches({
            record: () => void made2.push(fft2d(input, { radix })),
            submit: () => gpu.flush(),
            drained: () => gpu.sync(),
            release: () => (made2.forEach((x) => x.dispose()), (made2 = [])),
          }, { batches: 3 });
          byRadix[`radix${radix}`] = gflop / (t.bestMs / 1e3);
        }
      }
      let oursGpu: number | null = null;
      if (ctx.gpuTiming) {
        const ms = await gpuMsPerCall(gpu, 'fft', 4, oursWork.record, oursWork.release);
        oursGpu = ms ? gflop / (ms / 1e3) : null;
      }
      input.dispose();
      const oursG = gflop / (ours.bestMs / 1e3);
      const peerG = gflop / (peerT.bestMs / 1e3);
      // By CPU time (robust to other tenants): lavapipe's worker threads × cores for ours; the single
      // main thread for fft.js, which uses one core whatever the machine has.
      const oursCpu = ours.medianCpuMs ? (gflop / (ours.medianCpuMs / 1e3)) * cpus().length : null;
      const peerCpu = peerT.medianCpuMs ? gflop / (peerT.medianCpuMs / 1e3) : null;
      const row: BenchCase = {
        case: c.name,
        ours: oursG,
        peer: peerG,
        peerName: 'fft.js 4.0 (CPU, radix-4, float64)',
        ratio: oursG / peerG,
        pctCeiling: ceiling ? (100 * oursG) / ceiling : null,
        oursGpu,
        peerGpu: null,
        oursCpu,
        peerCpu,
        ratioCpu: oursCpu && peerCpu ? oursCpu / peerCpu : null,
        kernel: 'Stockham radix 8 (one radix-2 or radix-4 pass first for the rest of log2 n)',
        oursByRadix: byRadix,
        dispatches: c.kind === 'fft' ? Math.ceil(Math.log2(ph) / 2) + Math.ceil(Math.log2(pw) / 2) : 2 * (Math.ceil(Math.log2(ph) / 2) + Math.ceil(Math.log2(pw) / 2)) + 3,
        oursMs: { best: ours.bestMs, median: ours.medianMs, reps: ours.reps },
        peerMs: { best: peerT.bestMs, median: peerT.medianMs, reps: peerT.reps },
        maxRelDiffVsPeer: rel,
      };
      ctx.log(`${c.name}: ours ${ours.bestMs.toFixed(2)} ms (${oursG.toFixed(2)} GFLOP/s${Object.entries(byRadix).map(([k, v]) => `; ${k} ${v.toFixed(2)}`).join('')}), fft.js ${peerT.bestMs.toFixed(2)} ms, ratio ${row.ratio!.toFixed(2)}×; by CPU time ${oursCpu?.toFixed(2)} vs ${peerCpu?.toFixed(2)} GFLOP/s`);
      out.push(row);
      gpu.trim();
    }
    return out;
  },
};
