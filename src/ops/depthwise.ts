// Depthwise conv2d, NCHW (docs/layout.md), weights [C, 1, kh, kw] (PyTorch's groups = C layout):
// its own kernel (kernels/depthwise.wgsl), not the generic grouped conv. Forward (planes ≤ 16 wide on
// lavapipe: whole output rows per invocation, kernels/depthwise_rows.wgsl), grad-input (the
// transposed conv: a gather for strides ≤ 2, kernels/depthwise_dx.wgsl; phase-decomposed beyond) and
// grad-weight (a split reduction summed on the host side).
// conv2d() routes groups = C convs here too (chooseConvPath in conv2d.ts).
import { getGpu } from '../gpu/device.ts';
import { defineKernel, grid1d } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { convGeometry, type ConvGeometry, type Padding } from './conv-geometry.ts';
import { biasGradRaw, dummyBuffer } from './conv2d-raw.ts';
import { MAX_DIVIDED_INDEX } from './conv2d-vec4.ts';
import { reduceRaw } from './reduce.ts';
import { fmt } from './shape-utils.ts';

export interface DepthwiseOptions {
  bias?: Tensor | null;
  stride?: number | readonly [number, number];
  padding?: Padding;
  dilation?: number | readonly [number, number];
}

const PARAMS = [
  ['C', 'u32'], ['H', 'u32'], ['W', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
  ['pt', 'i32'], ['pl', 'i32'], ['hasBias', 'u32'], ['splits', 'u32'], ['N', 'u32'],
] as const;
const kernel = (entry: string) => defineKernel({ file: 'depthwise', entry, params: PARAMS, reads: 3, writes: 1, workgroupSize: 64 });
const K_FORWARD = kernel('forward');
const K_FORWARD4 = kernel('forward4');
const K_GRAD_INPUT = kernel('grad_input');
const K_GRAD_WEIGHT = kernel('grad_weight');
const K_GRAD_WEIGHT_KY = kernel('grad_weight_ky');
const dxKernel = (entry: string) => defineKernel({ file: 'depthwise_dx', entry, params: PARAMS, reads: 3, writes: 1, workgroupSize: 64 });
const K_DX_GATHER = dxKernel('main');
const K_DX_GATHER4 = dxKernel('main4');
const rowsKernel = (entry: string) => defineKernel({ file: 'depthwise_rows', entry, params: PARAMS, reads: 3, writes: 1, workgroupSize: 64 });
const K_ROWS = rowsKernel('main');
const K_ROWS_GRAD_WEIGHT = rowsKernel('grad_weight');

/** The kernel's limits: KW ≤ 8 and KH·KW ≤ 25 (its accumulator array); larger windows use the igemm path. */
export function depthwiseSupported(g: ConvGeometry): boolean {
  // The kernels divide flat (channel, pixel block) indices in f32 (exact below MAX_DIVIDED_INDEX).
  const blocks = g.groups * Math.max(g.OH * Math.ceil(g.OW / 4), Math.ceil(g.H / g.sh) * Math.ceil(Math.ceil(g.W / g.sw) / 4));
  return g.kw <= 8 && g.kh * g.kw <= 25 && g.groups <= 65535 && blocks < MAX_DIVIDED_INDEX && g.N * g.OH * Math.ceil(g.OW / 4) < MAX_DIVIDED_INDEX;
}

/** Depthwise conv: x [N, C, H, W], w [C, 1, kh, kw], bias [C]. */
export function depthwiseConv2d(x: Tensor, w: Tensor, o: DepthwiseOptions = {}): Tensor {
  if (x.rank !== 4 || w.rank !== 4 || w.shape[1] !== 1 || w.shape[0] !== x.shape[1]) {
    throw new Error(`depthwiseConv2d: expects x [N, C, H, W] and w [C, 1, kh, kw], got ${fmt(x.shape)} and ${fmt(w.shape)}`);
  }
  const g = convGeometry(x.shape, w.shape, { ...o, groups: x.shape[1] }, 'depthwiseConv2d');
  if (!depthwiseSupported(g)) throw new Error(`depthwiseConv2d: a ${g.kh}×${g.kw} window on ${fmt(x.shape)} is outside the kernel's limits (KW ≤ 8, KH·KW ≤ 25, < 2^22 pixel blocks); conv2d with groups = C handles it`);
  const bias = o.bias ?? null;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== g.groups)) throw new Error(`depthwiseConv2d: bias ${fmt(bias.shape)} must be [${g.groups}]`);
  const out = depthwiseForwardRaw(x, w, bias, g);
  const inputs = bias ? [x, w, bias] : [x, w];
  if (needsGrad(...inputs)) {
    record('depthwiseConv2d', out, inputs, [x, w], (dy) => [
      x.requiresGrad ? depthwiseGradInputRaw(dy, w, g) : null,
      w.requiresGrad ? depthwiseGradWeightRaw(x, dy, g) : null,
      bias?.requiresGrad ? biasGradRaw(dy) : null,
    ]);
  }
  return out;
}

function envFlag(name: string): boolean {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return v !== undefined && v !== '' && v !== '0';
}

function constants(g: ConvGeometry, flip = false): Record<string, number> {
  return { KH: g.kh, KW: g.kw, SH: g.sh, SW: g.sw, DH: g.dh, DW: g.dw, FLIP: flip ? 1 : 0 };
}

function params(g: ConvGeometry, hasBias: boolean, splits = 0): Record<string, number> {
  return { C: g.groups, H: g.H, W: g.W, OH: g.OH, OW: g.OW, pt: g.pt, pl: g.pl, hasBias: hasBias ? 1 : 0, splits, N: g.N };
}

/** Output tile of the forward kernels: 4 rows × 8 columns, fewer where the plane is smaller. Never
 *  8 wide (`wide` false) on an adapter whose shader compiler is slow (AdapterSummary.slowShaderCompile):
 *  SwiftShader compiles the scalar-row entry 8 wide in 2–4 minutes (3×3, stride 1 or 2), every 4-wide
 *  entry in < 0.2 s; lavapipe compiles all in < 30 ms, and there the 8-wide tile gains 0–70 % at run
 *  time (kernels/depthwise.wgsl header). */
export function forwardTile(OH: number, OW: number, wide = !getGpu().adapter.slowShaderCompile): { TH: number; TW: number } {
  return { TH: Math.min(4, OH), TW: wide && OW > 4 ? 8 : 4 };
}

const ROWS_MAX_OW = 16;
const ROWS_MAX_W = 16;
/** Accumulators (output pixels) per invocation of the whole-row kernel: 5 rows of 14 measured
 *  2–3× slower than 4 rows on lavapipe (spills), 7 rows of 7 the fastest at 7². */
const ROWS_MAX_ACC = 56;
/** The whole-row kernels hold a whole output row and source row in registers. */
const rowsFit = (OW: number, W: number) => OW <= ROWS_MAX_OW && W <= ROWS_MAX_W;

/** Output rows per invocation of the whole-row kernel (kernels/depthwise_rows.wgsl) for a forward-shaped
 *  pass with output OH × OW over a W-wide source, or 0 for the tiled kernels. Small planes only
 *  (OW ≤ 16), on a software adapter whose compiler is fast (lavapipe): by CPU time in one process it ran
 *  B0's 14² 5×5 and 7² 3×3/5×5 forwards 1.6–2.2× faster than the 4×8 tiles, which leave a quarter of
 *  each tile idle there. Not measured on SwiftShader (slowShaderCompile keeps 4-wide tiles) or on
 *  hardware GPUs, where C·OH/TH invocations are too few to fill the device. The rows are split evenly:
 *  8 rows as 4 + 4, not 7 + 1. */
export function rowsPerInvocation(OH: number, OW: number, W: number, adapter = getGpu().adapter): number {
  if (envFlag('SEEABLE_DEPTHWISE_TILES') || !adapter.isSoftware || adapter.slowShaderCompile) return 0;
  if (!rowsFit(OW, W)) return 0;
  const most = Math.min(8, Math.max(1, Math.floor(ROWS_MAX_ACC / OW)));
  return Math.ceil(OH / Math.ceil(OH / most));
}

/** Whether the aligned-row entry (forward4) runs a forward-shaped pass over a W-wide source with left
 *  padding pl and tile width TW: rows of whole vec4s (W % 4 == 0), W stride ≤ 2, ≤ 8 vec4s a tile row. */
export function alignedRowsApply(W: number, pl: number, g: ConvGeometry, TW = 8): boolean {
  if (envFlag('SEEABLE_DEPTHWISE_SCALAR') || W % 4 !== 0 || g.sw > 2 || pl < 0) return false;
  const last = (TW - 1) * g.sw - pl + (g.kw - 1) * g.dw;
  return last >= 0 && Math.floor(last / 4) - Math.floor(-pl / 4) + 1 <= 8;
}

/** Kernel choices forced by tests and benches (default: chosen here). */
export interface DepthwiseKernelOptions {
  aligned?: boolean;
  tile?: { TH: number; TW: number };
  /** strided grad-input: the gather kernel (depthwise_dx.wgsl) or the phase kernel */
  gather?: boolean;
  /** forward-shaped passes: whole-row kernel (depthwise_rows.wgsl) with this many rows per invocation, or off (0) */
  rows?: number;
}

/** One forward-shaped pass over src (the forward's geometry `t`): the whole-row kernel on small planes
 *  (rowsPerInvocation), else the tiled kernel, aligned rows where they apply. `flip` reverses the
 *  window (the stride-1 grad-input). */
function forwardPass(src: Tensor, w: Tensor, bias: Tensor | null, t: ConvGeometry, flip: boolean, window: ConvGeometry, o: DepthwiseKernelOptions): Tensor {
  const aligned = o.aligned;
  const out = Tensor.empty([t.N, t.groups, t.OH, t.OW]);
  const rows = o.rows ?? (o.tile || o.aligned !== undefined ? 0 : rowsPerInvocation(t.OH, t.OW, t.W));
  if (rows > 0) {
    if (!rowsFit(t.OW, t.W) || rows > 8) throw new Error(`depthwise: the whole-row kernel takes OW ≤ ${ROWS_MAX_OW}, W ≤ ${ROWS_MAX_W} and ≤ 8 rows (OW ${t.OW}, W ${t.W}, ${rows} rows)`);
    const [gx, gy] = grid1d(t.groups * Math.ceil(t.OH / rows), 64);
    getGpu().dispatch(
      K_ROWS, [src.buffer, w.buffer, bias ? bias.buffer : dummyBuffer(), out.buffer],
      params(t, !!bias), [gx, gy, t.N], { ...constants(window, flip), TH: rows, WI: t.W, WO: t.OW, PL: t.pl },
    );
    return out;
  }
  const tile = o.tile ?? forwardTile(t.OH, t.OW);
  const [gx, gy] = grid1d(t.groups * Math.ceil(t.OH / tile.TH) * Math.ceil(t.OW / tile.TW), 64);
  const applies = alignedRowsApply(t.W, t.pl, window, tile.TW);
  if (aligned && !applies) throw new Error(`depthwise: the aligned-row kernel needs W % 4 = 0, W stride ≤ 2 and a short tile row (W ${t.W}, pad ${t.pl})`);
  const vec4 = aligned ?? applies;
  const consts = { ...constants(window, flip), ...tile };
  getGpu().dispatch(
    vec4 ? K_FORWARD4 : K_FORWARD, [src.buffer, w.buffer, bias ? bias.buffer : dummyBuffer(), out.buffer],
    params(t, !!bias), [gx, gy, t.N], vec4 ? { ...consts, PL: t.pl } : consts,
  );
  return out;
}

export function depthwiseForwardRaw(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry, o: DepthwiseKernelOptions = {}): Tensor {
  return forwardPass(x, w, bias, g, false, g, o);
}

/** Grad-input. Stride 1: the forward kernel on dY with the window reversed and padding (k − 1)·d − p
 *  (its 4×4 tiles reuse rows, which the phase kernel cannot). Strides ≤ 2: the gather kernel
 *  (depthwise_dx.wgsl). Larger strides: the phase-decomposed kernel. */
export function depthwiseGradInputRaw(dy: Tensor, w: Tensor, g: ConvGeometry, o: DepthwiseKernelOptions = {}): Tensor {
  const pt = (g.kh - 1) * g.dh - g.pt;
  const pl = (g.kw - 1) * g.dw - g.pl;
  if (g.sh === 1 && g.sw === 1 && pt >= 0 && pl >= 0) {
    const t: ConvGeometry = { ...g, H: g.OH, W: g.OW, OH: g.H, OW: g.W, pt, pl };
    return forwardPass(dy, w, null, t, true, g, o);
  }
  const gather = o.gather ?? gatherApplies(g);
  if (gather) return gatherGradInput(dy, w, g, o.aligned ?? g.OW % 4 === 0);
  const out = Tensor.empty([g.N, g.groups, g.H, g.W]);
  // Largest phase: ceil(H / sh) × ceil(W / sw) pixels in 4×8 tiles.
  const [gx, gy] = grid1d(g.groups * Math.ceil(Math.ceil(g.H / g.sh) / 4) * Math.ceil(Math.ceil(g.W / g.sw) / 8), 64);
  getGpu().dispatch(
    K_GRAD_INPUT, [dy.buffer, w.buffer, dummyBuffer(), out.buffer],
    params(g, false), [gx, gy, g.N * g.sh * g.sw], constants(g),
  );
  return out;
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);

/** dY columns of one gather tile's register row (depthwise_dx.wgsl: cLo … cHi, whole vec4s if aligned). */
function gatherRowLength(g: ConvGeometry, aligned: boolean): number {
  const cLo = floorDiv(g.pl - (g.kw - 1) * g.dw, g.sw), cHi = floorDiv(g.sw - 1 + g.pl, g.sw) + 3;
  return aligned ? 4 * (floorDiv(cHi, 4) - floorDiv(cLo, 4) + 1) : cHi - cLo + 1;
}

/** The gather grad-input (strides ≤ 2, not both 1) takes every strided depthwise grad-input the
 *  window's register row fits: the phase kernel ran it at 2.7–4.4× the forward's time. */
export function gatherApplies(g: ConvGeometry): boolean {
  return (g.sh > 1 || g.sw > 1) && g.sh <= 2 && g.sw <= 2 && gatherRowLength(g, g.OW % 4 === 0) <= 24;
}

function gatherGradInput(dy: Tensor, w: Tensor, g: ConvGeometry, aligned: boolean): Tensor {
  if (g.sh > 2 || g.sw > 2 || gatherRowLength(g, aligned) > 24 || (aligned && g.OW % 4 !== 0)) {
    throw new Error(`depthwise: the gather grad-input needs strides ≤ 2 and a short window row${aligned ? ', and OW % 4 = 0 for aligned rows' : ''}`);
  }
  const out = Tensor.empty([g.N, g.groups, g.H, g.W]);
  const TH = 4;
  const [gx, gy] = grid1d(g.groups * Math.ceil(g.H / TH) * Math.ceil(g.W / (4 * g.sw)), 64);
  getGpu().dispatch(
    aligned ? K_DX_GATHER4 : K_DX_GATHER, [dy.buffer, w.buffer, dummyBuffer(), out.buffer],
    params(g, false), [gx, gy, g.N],
    { KH: g.kh, KW: g.kw, SH: g.sh, SW: g.sw, DH: g.dh, DW: g.dw, PT: g.pt, PL: g.pl, TH },
  );
  return out;
}

/** Invocations the split weight gradient aims for: few splits, because each extra split costs a
 *  partial and the reduce pass more than it gains on a 2-core CPU adapter (8192 → 512 measured
 *  1.3–2.2× faster by CPU time). A hardware GPU wants far more parallelism: retune there. */
const WGRAD_TARGET_INVOCATIONS = 512;

/** grad_weight_ky (an invocation per channel and kernel row) for windows over 3×3 or strided ones:
 *  by CPU time 1.3–1.6× on 5×5 and 1.7× on 3×3/2 at B0 shapes; 3×3/1 keeps the per-channel kernel
 *  (0.8–1.0× there: its 9 accumulators fit the registers). */
export function gradWeightByRow(g: ConvGeometry): boolean {
  return g.kh * g.kw > 9 || g.sh > 1 || g.sw > 1;
}

/** Grad-weight; `byRow` forces grad_weight_ky on or off, `rows` the whole-row kernel (tests, benches).
 *  The whole-row kernel takes the planes whose forward it takes (rowsPerInvocation): after the forward
 *  got 2× faster there, the tiled grad-weight took 3.2× the forward's time at 14² 5×5 (target ≤ 2.5). */
export function depthwiseGradWeightRaw(x: Tensor, dy: Tensor, g: ConvGeometry, o: { byRow?: boolean; rows?: boolean } = {}): Tensor {
  const C = g.groups;
  const taps = g.kh * g.kw;
  if (o.rows ?? (o.byRow === undefined && rowsPerInvocation(g.OH, g.OW, g.W) > 0)) {
    if (!rowsFit(g.OW, g.W)) throw new Error(`depthwise: the whole-row grad-weight takes OW ≤ ${ROWS_MAX_OW} and W ≤ ${ROWS_MAX_W} (OW ${g.OW}, W ${g.W})`);
    const dw = Tensor.empty([C, 1, g.kh, g.kw]);
    const [gx, gy] = grid1d(C * g.kh, 64);
    getGpu().dispatch(
      K_ROWS_GRAD_WEIGHT, [x.buffer, dy.buffer, dummyBuffer(), dw.buffer],
      params(g, false), [gx, gy, 1], { ...constants(g), WI: g.W, WO: g.OW, PL: g.pl },
    );
    return dw;
  }
  const byRow = o.byRow ?? gradWeightByRow(g);
  const lanes = byRow ? C * g.kh : C;
  const blocks = g.N * g.OH * Math.ceil(g.OW / 4);
  const splits = Math.max(1, Math.min(blocks, Math.ceil(WGRAD_TARGET_INVOCATIONS / lanes)));
  const part = Tensor.empty([splits, C * taps]);
  getGpu().dispatch(
    byRow ? K_GRAD_WEIGHT_KY : K_GRAD_WEIGHT, [x.buffer, dy.buffer, dummyBuffer(), part.buffer],
    params(g, false, splits), [Math.ceil(lanes / 64), splits, 1], constants(g),
  );
  const sum = splits === 1 ? part.view([1, C * taps]) : reduceRaw('sum', part, [0]);
  part.dispose();
  const dw = sum.view([C, 1, g.kh, g.kw]);
  sum.dispose();
  return dw;
}
