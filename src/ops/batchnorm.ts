// Batch norm 2d (NCHW), functional: batchNorm2d(x, γ, β, runningMean, runningVar, opts).
// Training mode normalises with the batch statistics (biased variance) and updates the running
// buffers in place, PyTorch style; eval mode normalises with the running statistics.
// Forward: partial sums → per-channel finalize → elementwise pass (3 dispatches, kernels/batchnorm.wgsl).
// Backward: partial sums of gy, gy·x̂ → gγ, gβ and per-channel coefficients → gx (3 dispatches);
// in training mode gx includes the terms through the batch mean and variance.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { choosePlanePath, ROW_SPLIT, type PlanePath } from './plane-reduce.ts';
import { fmt } from './shape-utils.ts';

export interface BatchNormOptions {
  /** Batch statistics and running-stat update (true) or running statistics (false). Default false. */
  training?: boolean;
  /** PyTorch convention: running = (1 − momentum)·running + momentum·batch. Default 0.1. */
  momentum?: number;
  /** Added to the variance. Default 1e-5 (EfficientNet uses 1e-3). */
  eps?: number;
  /** Fuse an activation after the affine: 'silu' (swish) gives silu(bn(x)) in the same passes,
   *  and its backward applies silu' on the fly (no extra tensor stored). Default none. */
  activation?: 'silu' | null;
  /** Force the statistics' reduction kernels (tests); by default plane-reduce.ts chooses. */
  reducePath?: PlanePath;
}

const PARAMS = [
  ['N', 'u32'], ['C', 'u32'], ['HW', 'u32'], ['P', 'u32'], ['chunk', 'u32'],
  ['eps', 'f32'], ['momentum', 'f32'], ['training', 'u32'], ['update', 'u32'], ['segs', 'u32'], ['group', 'u32'],
] as const;
const WG = 64;
const k = (entry: string, reads: number, writes: number) =>
  defineKernel({ file: 'batchnorm', entry, params: PARAMS, reads, writes, workgroupSize: WG });
const K_PARTIAL = k('partial_sums', 3, 1);
const K_STATS = k('stats_finalize', 4, 3);
const K_EVAL_STATS = k('eval_stats', 4, 1);
const K_PARTIAL_ROWS = { scalar: k('partial_sums_rows', 3, 1), vec4: k('partial_sums_rows4', 3, 1) };
const K_GRAD_FINAL = k('grad_finalize', 3, 3);
const K_APPLY = {
  naive: k('apply_naive', 3, 1), runs: k('apply_runs', 3, 1), flat4: k('apply_flat4', 3, 1), vec4: k('apply_vec4', 3, 1),
};

/** Planes of at least this many pixels are summed per plane segment (no per-element division). */
const SEGMENT_MIN_HW = 256;
/** Planes of at least this many pixels take the plane-major elementwise pass. */
const RUNS_MIN_HW = 128;

function envFlag(name: string): boolean {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return v !== undefined && v !== '' && v !== '0';
}

/** How a channel's N·H·W values are split among the partial workgroups (P per channel, ≤ ~64,
 *  each lane still summing ≥ 16–32 values so that the per-channel finalize loop stays short). */
interface Partitions { P: number; chunk: number; segmented: boolean; segs: number; group: number; rows: boolean; vec4: boolean }

/** The 'rows' path (CPU adapters): C·P threads, each summing `group` samples × `chunk` pixels of
 *  their planes: about ROW_SPLIT.target threads in all, none with fewer than ROW_SPLIT.minChunk values. */
function rowPartitions(N: number, C: number, HW: number): Partitions {
  const m = N * HW;
  const P0 = Math.max(1, Math.min(Math.ceil(ROW_SPLIT.target / C), Math.floor(m / ROW_SPLIT.minChunk), 64));
  const per = Math.ceil(m / P0);
  let group = 1;
  let chunk = HW;
  if (per >= HW) group = Math.floor(per / HW);
  else {
    chunk = Math.ceil(HW / Math.ceil(HW / per));
    if (HW % 4 === 0) chunk = Math.ceil(chunk / 4) * 4;
  }
  const segs = Math.ceil(HW / chunk);
  return { P: Math.ceil(N / group) * segs, chunk, segmented: false, segs, group, rows: true, vec4: HW % 4 === 0 && chunk % 4 === 0 };
}

function partitions(N: number, HW: number): Partitions {
  const wg = { segs: 1, group: 1, rows: false, vec4: false };
  if (HW >= SEGMENT_MIN_HW) {
    const S0 = Math.max(1, Math.min(Math.ceil(HW / (WG * 16)), Math.ceil(64 / N)));
    const chunk = Math.ceil(HW / S0);
    return { P: N * Math.ceil(HW / chunk), chunk, segmented: true, ...wg };
  }
  const m = N * HW;
  const P = Math.max(1, Math.min(64, Math.ceil(m / (WG * 32))));
  const chunk = Math.ceil(m / P);
  return { P: Math.ceil(m / chunk), chunk, segmented: false, ...wg };
}

function geometry(x: Tensor, gamma: Tensor, beta: Tensor, rm: Tensor | null, rv: Tensor | null, path?: PlanePath) {
  if (x.rank !== 4 || x.dtype !== 'f32') throw new Error(`batchNorm2d: x must be f32 [N, C, H, W], got ${x.dtype} ${fmt(x.shape)}`);
  const [N, C, H, W] = x.shape;
  for (const [name, t] of [['gamma', gamma], ['beta', beta], ['runningMean', rm], ['runningVar', rv]] as const) {
    if (t && (t.size !== C || t.dtype !== 'f32')) {
      throw new Error(`batchNorm2d: ${name} must be f32 with ${C} elements, got ${t.dtype} ${fmt(t.shape)} for x ${fmt(x.shape)}`);
    }
  }
  const parts = (path ?? choosePlanePath(N * H * W)) === 'rows' ? rowPartitions(N, C, H * W) : partitions(N, H * W);
  return { N, C, HW: H * W, ...parts };
}

type Geo = ReturnType<typeof geometry>;

function baseParams(g: Geo, eps: number, momentum: number, training: boolean, update: boolean) {
  return {
    N: g.N, C: g.C, HW: g.HW, P: g.P, chunk: g.chunk, eps, momentum, training: training ? 1 : 0, update: update ? 1 : 0,
    segs: g.segs, group: g.group,
  };
}

/**
 * y = γ·(x − μ)/√(σ² + ε) + β per channel of an NCHW tensor (then silu(y) with activation 'silu'). In training mode μ, σ² are the batch
 * statistics and `runningMean`/`runningVar` (if given) are updated in place; in eval mode they are
 * the statistics used. Gradients flow to x, γ and β.
 */
export function batchNorm2d(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  const training = opts.training ?? false;
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  const act = opts.activation === 'silu' ? 1 : 0;
  if (opts.activation && !act) throw new Error(`batchNorm2d: unknown activation ${String(opts.activation)}`);
  const g = geometry(x, gamma, beta, runningMean, runningVar, opts.reducePath);
  if ((runningMean === null) !== (runningVar === null)) {
    throw new Error('batchNorm2d: give both runningMean and runningVar, or neither');
  }
  if (training && g.N * g.HW < 2) throw new Error(`batchNorm2d: training needs more than one value per channel, got x ${fmt(x.shape)}`);
  if (!training && (!runningMean || !runningVar)) throw new Error('batchNorm2d: eval mode needs runningMean and runningVar');
  const gpu = getGpu();
  const stat = Tensor.empty([g.C, 4]);
  if (training) {
    const update = runningMean !== null && runningVar !== null;
    const params = baseParams(g, eps, momentum, true, update);
    const part = Tensor.empty([g.C, g.P, 2]);
    partialSums(0, 0, [x.buffer, x.buffer, x.buffer, part.buffer], params, g);
    // Without running buffers the kernel still needs two distinct writable bindings: scratch ones.
    const scratch = update ? [] : [Tensor.empty([g.C]), Tensor.empty([g.C])];
    const rmBuf = update ? runningMean.buffer : scratch[0].buffer;
    const rvBuf = update ? runningVar.buffer : scratch[1].buffer;
    gpu.dispatch(K_STATS, [x.buffer, part.buffer, gamma.buffer, beta.buffer, stat.buffer, rmBuf, rvBuf],
      params, g.C);
    part.dispose();
    scratch.forEach((t) => t.dispose());
  } else {
    gpu.dispatch(K_EVAL_STATS, [runningMean!.buffer, runningVar!.buffer, gamma.buffer, beta.buffer, stat.buffer],
      baseParams(g, eps, momentum, false, false), g.C);
  }
  const y = Tensor.empty(x.shape);
  applyPerElement(0, act, x, x, stat, y, g);
  if (needsGrad(x, gamma, beta)) {
    record('batchNorm2d', y, [x, gamma, beta], [x, gamma, stat], (gy) => {
      const [gx, gg, gb] = batchNorm2dBackward(x, gamma, stat, gy, g, training, act);
      return [x.requiresGrad ? gx : null, gamma.requiresGrad ? gg : null, beta.requiresGrad ? gb : null];
    });
  }
  stat.dispose();
  return y;
}

/** part[c, p] (two sums per partial): OP 0 the shifted x sums, OP 1 the gradient sums. */
function partialSums(op: 0 | 1, act: number, buffers: GPUBuffer[], params: ReturnType<typeof baseParams>, g: Geo): void {
  if (g.rows) {
    const kernel = g.vec4 ? K_PARTIAL_ROWS.vec4 : K_PARTIAL_ROWS.scalar;
    getGpu().dispatch(kernel, buffers, params, g.C * g.P, { OP: op, ACT: act });
  } else {
    getGpu().dispatch(K_PARTIAL, buffers, params, [g.P, g.C, 1], { OP: op, SEGMENTED: g.segmented ? 1 : 0, ACT: act });
  }
}

/** gx, gγ, gβ from the saved per-channel stat rows (mean, invstd, …). */
function batchNorm2dBackward(x: Tensor, gamma: Tensor, stat: Tensor, gy: Tensor, g: Geo, training: boolean, act: number): Tensor[] {
  const gpu = getGpu();
  const params = baseParams(g, 0, 0, training, false);
  const part = Tensor.empty([g.C, g.P, 2]);
  partialSums(1, act, [x.buffer, gy.buffer, stat.buffer, part.buffer], params, g);
  const coef = Tensor.empty([g.C, 8]);
  const gGamma = Tensor.empty(gamma.shape);
  const gBeta = Tensor.empty([g.C]);
  gpu.dispatch(K_GRAD_FINAL, [part.buffer, stat.buffer, gamma.buffer, coef.buffer, gGamma.buffer, gBeta.buffer], params, g.C);
  const gx = Tensor.empty(x.shape);
  applyPerElement(1, act, x, gy, coef, gx, g);
  return [gx, gGamma, gBeta];
}

/** The elementwise pass (OP 0: y from stat rows; OP 1: gx from coef rows), mapped as the plane size
 *  suits (kernels/batchnorm.wgsl: apply_vec4 for H·W % 4 == 0, else apply_runs or apply_flat4;
 *  apply_naive with SEEABLE_NAIVE_BN=1). */
function applyPerElement(op: 0 | 1, act: number, x: Tensor, gy: Tensor, rows: Tensor, out: Tensor, g: Geo): void {
  const params = baseParams(g, 0, 0, false, false);
  const buffers = [x.buffer, gy.buffer, rows.buffer, out.buffer];
  const gpu = getGpu();
  if (out.size === 0) return;
  if (envFlag('SEEABLE_NAIVE_BN')) {
    gpu.dispatch(K_APPLY.naive, buffers, params, out.size, { OP: op, ACT: act });
  } else if (g.HW % 4 === 0) {
    gpu.dispatch(K_APPLY.vec4, buffers, params, out.size / 4, { OP: op, ACT: act });
  } else if (g.HW >= RUNS_MIN_HW) {
    const planes = g.N * g.C;
    const py = Math.min(planes, 65535);
    gpu.dispatch(K_APPLY.runs, buffers, params, [Math.ceil(g.HW / 4 / WG), py, Math.ceil(planes / py)], { OP: op, ACT: act });
  } else {
    gpu.dispatch(K_APPLY.flat4, buffers, params, Math.ceil(out.size / 4), { OP: op, ACT: act });
  }
}
