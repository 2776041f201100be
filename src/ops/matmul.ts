// Batched matmul with transposes and batch broadcasting, and its backward.
// C[..., M, N] = opA(A)[..., M, K] · opB(B)[..., K, N]. The kernel choice lives in chooseMatmulKernel().
import { getGpu, type AdapterSummary } from '../gpu/device.ts';
import { defineKernel, type Kernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { sumToShape } from './reduce.ts';
import { fmt } from './shape-utils.ts';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** Force a kernel (tests, benches) instead of chooseMatmulKernel(); the backward uses it too.
   *  'blocked' falls back to 'blocked_any' where its vec4 layout does not apply. */
  kernel?: MatmulKernelKind;
}

const PARAMS = [
  ['M', 'u32'], ['N', 'u32'], ['K', 'u32'], ['batch', 'u32'],
  ['strideA', 'u32'], ['strideB', 'u32'], ['transA', 'u32'], ['transB', 'u32'],
] as const;
const kernel = (file: string, entry: string, workgroupSize: number) =>
  defineKernel({ file, entry, params: PARAMS, reads: 2, writes: 1, workgroupSize });
/** The permanent reference: one output per invocation. */
export const MATMUL_NAIVE = kernel('matmul_naive', 'main', 64);
/** Register-blocked 4×8 per invocation, vec4 B and C (N % 4 == 0, no transB). */
export const MATMUL_BLOCKED = kernel('matmul_blocked', 'main', 64);
/** Register-blocked 4×8 per invocation, scalar reads/writes: any N, any transposes. */
export const MATMUL_BLOCKED_ANY = kernel('matmul_blocked', 'main_any', 64);
/** Workgroup-memory tiles of 64×64, 4×4 per invocation, for hardware GPUs. */
export const MATMUL_TILED = kernel('matmul_tiled', 'main', 256);

/** Repacks Bᵀ into B for the vec4 blocked entry. */
const TRANSPOSE = defineKernel({
  file: 'matmul_transpose', entry: 'main', params: [['R', 'u32'], ['C', 'u32'], ['batch', 'u32']], reads: 1, writes: 1, workgroupSize: 64,
});

export type MatmulKernelKind = 'naive' | 'blocked' | 'blocked_any' | 'tiled';

export interface MatmulKernelChoice {
  kind: MatmulKernelKind;
  kernel: Kernel;
  /** workgroup grid for one batch entry (z = batch is added at dispatch) */
  groups: [number, number];
  constants?: Record<string, number>;
  /** transpose Bᵀ into B first (vec4 blocked kernel on a transB product) */
  repackB?: boolean;
}

/** Blocked-kernel workgroup: 64 invocations, at most 8 of them along N. On lavapipe a workgroup is one
 *  CPU task whose invocations run as 8-wide SIMD lanes; measured by worker CPU time (bench/README.md):
 *  8×8 ≥ 16×16 ≈ 8×16 > 64×1 on 1024³; 4×16 beats 8×8 by ~30 % for N = 24; 128/256 no better. */
const BLOCKED_WG = 64;
const BLOCKED_MAX_WX = 8;
/** Below this many multiply-adds a dispatch is overhead-bound and the kernel does not matter. */
const TINY_MACS = 4096;

function envFlag(name: string): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.[name];
  return v !== undefined && v !== '' && v !== '0';
}

function nextPow2(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}

/** The grid and workgroup shape of one kernel kind for an M×N output. */
export function matmulLaunch(kind: MatmulKernelKind, M: number, N: number): MatmulKernelChoice {
  switch (kind) {
    case 'naive':
      return { kind, kernel: MATMUL_NAIVE, groups: [Math.ceil(N / 8), Math.ceil(M / 8)] };
    case 'tiled':
      return { kind, kernel: MATMUL_TILED, groups: [Math.ceil(N / 64), Math.ceil(M / 64)] };
    case 'blocked':
    case 'blocked_any': {
      // WX spans the 8-column blocks, narrower for narrow outputs (N = 24 of a 1×1 conv: WX = 4)
      // so that no lanes idle; WY the 4-row blocks.
      const WX = Math.min(BLOCKED_MAX_WX, nextPow2(Math.ceil(N / 8)));
      const WY = BLOCKED_WG / WX;
      return {
        kind,
        kernel: kind === 'blocked' ? MATMUL_BLOCKED : MATMUL_BLOCKED_ANY,
        groups: [Math.ceil(N / 8 / WX), Math.ceil(M / 4 / WY)],
        constants: { WX, WY },
      };
    }
  }
}

/**
 * The one place that picks a matmul kernel.
 * - SEEABLE_NAIVE=1 (debug switch): always the naive reference kernel.
 * - Tiny products (M·N·K < TINY_MACS = 4096): naive; launch overhead dominates whatever runs.
 * - Software adapters (lavapipe, SwiftShader): the register-blocked kernel — barriers cost a CPU
 *   context switch per invocation there, so workgroup-memory tiling loses (TOOLCHAIN.md: tiled
 *   0.4–0.6 GFLOP/s vs blocked ~10 on 1024³). Its vec4 entry needs 16-byte-aligned rows of B and C
 *   (N % 4 == 0); a transposed B is first repacked by matmul_transpose.wgsl (O(K·N), and the vec4
 *   entry is ~2× faster than strided scalar reads of Bᵀ). N % 4 ≠ 0: the scalar-read entry (blocked_any).
 * - Hardware GPUs: the shared-memory tiled kernel once the output fills at least one 64×64 tile
 *   (M·N ≥ 4096), else the blocked kernel (a partial tile would idle most of a 256-wide workgroup).
 *   Not yet measured on a hardware GPU: revisit these thresholds with bench/matmul.ts on one.
 */
export function chooseMatmulKernel(
  adapter: Pick<AdapterSummary, 'isSoftware'>,
  M: number,
  N: number,
  K: number,
  o: MatmulOptions = {},
): MatmulKernelChoice {
  if (envFlag('SEEABLE_NAIVE') || M * N * K < TINY_MACS) return matmulLaunch('naive', M, N);
  if (!adapter.isSoftware && M * N >= 64 * 64) return matmulLaunch('tiled', M, N);
  if (N % 4 !== 0) return matmulLaunch('blocked_any', M, N);
  return { ...matmulLaunch('blocked', M, N), repackB: !!o.transB };
}

interface Plan {
  M: number; N: number; K: number; batch: number;
  strideA: number; strideB: number; outShape: number[];
}

function plan(a: Tensor, b: Tensor, o: MatmulOptions): Plan {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands need rank ≥ 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new Error('matmul: expects f32 tensors');
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const M = o.transA ? ac : ar;
  const K = o.transA ? ar : ac;
  const Kb = o.transB ? bc : br;
  const N = o.transB ? br : bc;
  if (K !== Kb) {
    throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)}${o.transA ? 'ᵀ' : ''} · ${fmt(b.shape)}${o.transB ? 'ᵀ' : ''}`);
  }
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const na = ba.reduce((x, y) => x * y, 1);
  const nb = bb.reduce((x, y) => x * y, 1);
  let batchShape: number[];
  if (na === nb && ba.length === bb.length && ba.every((d, i) => d === bb[i])) batchShape = [...ba];
  else if (na === 1) batchShape = [...bb];
  else if (nb === 1) batchShape = [...ba];
  else throw new Error(`matmul: batch dims ${fmt(ba)} and ${fmt(bb)} differ (only equal or one-sided batches broadcast)`);
  const batch = batchShape.reduce((x, y) => x * y, 1);
  return {
    M, N, K, batch,
    strideA: na === 1 ? 0 : M * K,
    strideB: nb === 1 ? 0 : K * N,
    outShape: [...batchShape, M, N],
  };
}

/** Forward only. */
export function matmulRaw(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const p = plan(a, b, o);
  const out = Tensor.empty(p.outShape);
  if (out.size === 0) return out;
  const gpu = getGpu();
  if (p.K === 0) {
    gpu.clear(out.buffer);
    return out;
  }
  let choice: MatmulKernelChoice;
  if (o.kernel === 'blocked') {
    choice = p.N % 4 === 0 ? { ...matmulLaunch('blocked', p.M, p.N), repackB: !!o.transB } : matmulLaunch('blocked_any', p.M, p.N);
  } else {
    choice = o.kernel ? matmulLaunch(o.kernel, p.M, p.N) : chooseMatmulKernel(gpu.adapter, p.M, p.N, p.K, o);
  }
  const packed = choice.repackB ? transposeLast2(b, p.N, p.K) : null;
  gpu.dispatch(
    choice.kernel,
    [a.buffer, (packed ?? b).buffer, out.buffer],
    {
      M: p.M, N: p.N, K: p.K, batch: p.batch, strideA: p.strideA, strideB: p.strideB,
      transA: o.transA ? 1 : 0, transB: o.transB && !packed ? 1 : 0,
    },
    [choice.groups[0], choice.groups[1], p.batch],
    choice.constants,
  );
  packed?.dispose(); // back to the pool; later work that reuses it runs after this dispatch
  return out;
}

/** [..., R, C] → [..., C, R] (a fresh tensor). */
function transposeLast2(x: Tensor, R: number, C: number): Tensor {
  const batch = x.size / (R * C);
  const y = Tensor.empty([...x.shape.slice(0, -2), C, R]);
  getGpu().dispatch(TRANSPOSE, [x.buffer, y.buffer], { R, C, batch }, [Math.ceil(R / 8), Math.ceil(C / 8), batch]);
  return y;
}

export function matmul(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const out = matmulRaw(a, b, o);
  if (needsGrad(a, b)) {
    const tA = !!o.transA;
    const tB = !!o.transB;
    const kernel = o.kernel;
    record('matmul', out, [a, b], [a, b], (g) => [
      a.requiresGrad
        ? sumToShape(tA ? matmulRaw(b, g, { transA: tB, transB: true, kernel }) : matmulRaw(g, b, { transB: !tB, kernel }), a.shape)
        : null,
      b.requiresGrad
        ? sumToShape(tB ? matmulRaw(g, a, { transA: true, transB: tA, kernel }) : matmulRaw(a, g, { transA: !tA, kernel }), b.shape)
        : null,
    ]);
  }
  return out;
}
