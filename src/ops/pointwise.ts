// 1×1 convolution (stride 1, no padding, one group), NCHW: two ways to run it, and the choice.
// - per-sample: Y[n] = W · X[n] as a batched matmul (matmul_blocked.wgsl; conv2d-raw.ts), the weight
//   gradient as N per-sample products dY[n]·X[n]ᵀ summed afterwards.
// - channel-major: ONE GEMM over all N·H·W pixels that indexes NCHW directly (kernels/pointwise.wgsl),
//   the weight gradient one reduction over N·H·W split into a few chunks.
// conv2d.ts routes its 'pointwise' path through pointwiseForward / pointwiseGradInput / pointwiseGradWeight.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { ConvGeometry } from './conv-geometry.ts';
import { dummyBuffer, pointwiseGradInputRaw, pointwiseGradWeightRaw, pointwiseRaw } from './conv2d-raw.ts';
import { reduceRaw } from './reduce.ts';

const PARAMS = [['M', 'u32'], ['K', 'u32'], ['HW', 'u32'], ['N', 'u32'], ['transA', 'u32'], ['hasBias', 'u32'], ['chunk', 'u32']] as const;
const kernel = (entry: string) => defineKernel({ file: 'pointwise', entry, params: PARAMS, reads: 3, writes: 1, workgroupSize: 64 });
const K_GEMM = kernel('gemm');
const K_GEMM_ANY = kernel('gemm_any');
const K_WGRAD = kernel('wgrad');
const K_PACK = kernel('pack');
const K_GEMM_PACKED = kernel('gemm_packed');

/** How a GEMM whose planes are not a multiple of 4 wide reads its columns; SEEABLE_POINTWISE_COLUMNS=
 *  gather|packed forces one. 'packed' (default) copies them into 8-aligned rows first (kernels/pointwise.wgsl). */
function columnReads(): 'gather' | 'packed' {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SEEABLE_POINTWISE_COLUMNS;
  return v === 'gather' ? 'gather' : 'packed';
}

export type PointwisePath = 'per-sample' | 'channel-major';

function envPath(): PointwisePath | null {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SEEABLE_POINTWISE;
  return v === 'per-sample' || v === 'channel-major' ? v : null;
}

/**
 * Which way a 1×1 conv runs; SEEABLE_POINTWISE=per-sample|channel-major forces one.
 * - Software adapters (lavapipe): channel-major in all three directions. Measured by CPU time against
 *   the per-sample path on every 1×1 conv of B0 at 64² with N = 16 (bench/README.md): 2×2 planes
 *   1.7–3.4× faster, 4×4 and 8×8 1.0–1.9×, 16×16 and 32×32 0.9–1.4× (within the ±20–30 % noise);
 *   N = 1 at the conv bench's shapes (one GEMM either way) 0.95–1.3× forward, 1.1–1.65× grad-weight
 *   (its split reduction keeps both cores busy where the per-sample GEMM has ~100 invocations).
 * - Hardware GPUs: per-sample, whose matmul picks the shared-memory tiled kernel there (the
 *   channel-major kernel is register-blocked for CPUs). Not measured on a GPU yet.
 */
export function choosePointwisePath(isSoftware = getGpu().adapter.isSoftware): PointwisePath {
  return envPath() ?? (isSoftware ? 'channel-major' : 'per-sample');
}

function nextPow2(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}

/** Workgroup shape for `cols` GEMM columns in 8-column blocks: ≤ 8 lanes along columns, 64 in all. */
function launch(cols: number, rows: number): { groups: [number, number]; constants: Record<string, number> } {
  const WX = Math.min(8, nextPow2(Math.ceil(cols / 8)));
  const WY = 64 / WX;
  return { groups: [Math.ceil(cols / 8 / WX), Math.ceil(rows / 4 / WY)], constants: { WX, WY } };
}

/** out[n, m, p] = Σ_k opA(a)[m, k] · src[n, k, p] (+ bias[m]) over all N·HW pixels at once. */
function channelMajorGemm(a: Tensor, src: Tensor, bias: Tensor | null, M: number, K: number, N: number, HW: number, transA: boolean): Tensor {
  const gpu = getGpu();
  const out = Tensor.empty([N, M, HW]);
  const params = { M, K, HW, N, transA: transA ? 1 : 0, hasBias: bias ? 1 : 0, chunk: 0 };
  const biasBuffer = bias ? bias.buffer : dummyBuffer();
  const { groups, constants } = launch(N * HW, M);
  if (HW % 4 === 0 || columnReads() === 'gather') {
    gpu.dispatch(HW % 4 === 0 ? K_GEMM : K_GEMM_ANY, [a.buffer, src.buffer, biasBuffer, out.buffer], params, [groups[0], groups[1], 1], constants);
    return out;
  }
  const packed = Tensor.empty([K, Math.ceil((N * HW) / 8) * 8]);
  gpu.dispatch(K_PACK, [dummyBuffer(), src.buffer, dummyBuffer(), packed.buffer], params, packed.size);
  gpu.dispatch(K_GEMM_PACKED, [a.buffer, packed.buffer, biasBuffer, out.buffer], params, [groups[0], groups[1], 1], constants);
  packed.dispose();
  return out;
}

function asNchw(t: Tensor, g: ConvGeometry, C: number): Tensor {
  const v = t.view([g.N, C, g.H, g.W]);
  t.dispose();
  return v;
}

/** Channel-major forward: Y = W · X over all pixels, bias fused. */
export function pointwiseChannelMajorRaw(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  return asNchw(channelMajorGemm(w, x, bias, g.Co, g.Ci, g.N, g.H * g.W, false), g, g.Co);
}

/** Channel-major grad-input: dX = Wᵀ · dY over all pixels. */
export function pointwiseChannelMajorGradInputRaw(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  return asNchw(channelMajorGemm(w, dy, null, g.Ci, g.Co, g.N, g.H * g.W, true), g, g.Ci);
}

/** Invocations a split grad-weight pass aims for: enough for 2 cores × 8 lanes with slack, few
 *  partials (each costs a write and the reduce a read). */
const WGRAD_TARGET_INVOCATIONS = 512;
const WGRAD_MIN_CHUNK = 256;

/** Channel-major grad-weight: dW[co, ci] = Σ_{n,p} dY[n, co, p] · X[n, ci, p], one split reduction. */
export function pointwiseChannelMajorGradWeightRaw(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  const HW = g.H * g.W;
  const P = g.N * HW;
  const { groups, constants } = launch(g.Ci, g.Co);
  const perSplit = groups[0] * groups[1] * 64;
  let splits = Math.max(1, Math.min(Math.ceil(WGRAD_TARGET_INVOCATIONS / perSplit), Math.ceil(P / WGRAD_MIN_CHUNK)));
  const chunk = Math.ceil(P / splits);
  splits = Math.ceil(P / chunk);
  const part = Tensor.empty([splits, g.Co * g.Ci]);
  getGpu().dispatch(
    K_WGRAD, [dy.buffer, x.buffer, dummyBuffer(), part.buffer],
    { M: g.Co, K: g.Ci, HW, N: g.N, transA: 0, hasBias: 0, chunk },
    [groups[0], groups[1], splits], constants,
  );
  const sum = splits === 1 ? part.view([1, g.Co * g.Ci]) : reduceRaw('sum', part, [0]);
  part.dispose();
  const dw = sum.view([g.Co, g.Ci, 1, 1]);
  sum.dispose();
  return dw;
}

export function pointwiseForward(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  return choosePointwisePath() === 'channel-major' ? pointwiseChannelMajorRaw(x, w, bias, g) : pointwiseRaw(x, w, bias, g);
}

export function pointwiseGradInput(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  return choosePointwisePath() === 'channel-major' ? pointwiseChannelMajorGradInputRaw(dy, w, g) : pointwiseGradInputRaw(dy, w, g);
}

export function pointwiseGradWeight(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  return choosePointwisePath() === 'channel-major' ? pointwiseChannelMajorGradWeightRaw(x, dy, g) : pointwiseGradWeightRaw(x, dy, g);
}
