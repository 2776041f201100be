// Forward-only conv2d building blocks (NCHW, docs/layout.md): the implicit-GEMM kernel in both
// directions (forward and grad-input as a transposed conv), the split-reduction weight gradient,
// the naive reference kernel and the 1×1 path on matmulRaw. src/ops/conv2d.ts picks among them.
import { getGpu, type Gpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { ConvGeometry } from './conv-geometry.ts';
import { binaryRaw } from './elementwise.ts';
import { matmulRaw } from './matmul.ts';
import { reduceRaw } from './reduce.ts';
import { igemmVec4Raw, vec4Applies } from './conv2d-vec4.ts';

const GEOM = [
  ['Ci', 'u32'], ['Co', 'u32'], ['groups', 'u32'], ['H', 'u32'], ['W', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
  ['kh', 'u32'], ['kw', 'u32'], ['sh', 'i32'], ['sw', 'i32'], ['dh', 'i32'], ['dw', 'i32'], ['pt', 'i32'], ['pl', 'i32'],
] as const;
const K_IGEMM = defineKernel({
  file: 'conv2d', entry: 'main', params: [...GEOM, ['coBlocks', 'u32'], ['hasBias', 'u32']], reads: 3, writes: 1, workgroupSize: 64,
});
const K_TRANSPOSED = defineKernel({
  file: 'conv2d', entry: 'transposed', params: [...GEOM, ['coBlocks', 'u32'], ['hasBias', 'u32']], reads: 3, writes: 1, workgroupSize: 64,
});
const K_PACK = defineKernel({
  file: 'conv2d_pack', entry: 'main',
  params: [['n', 'u32'], ['R', 'u32'], ['cols', 'u32'], ['rowPad', 'u32'], ['khw', 'u32'], ['CoF', 'u32'], ['CiF', 'u32']],
  reads: 1, writes: 1, workgroupSize: 256,
});
const K_WGRAD = defineKernel({
  file: 'conv2d_wgrad', entry: 'main', params: [['N', 'u32'], ...GEOM, ['coBlocks', 'u32'], ['chunk', 'u32']],
  reads: 2, writes: 1, workgroupSize: 64,
});
const K_NAIVE = defineKernel({
  file: 'conv2d_naive', entry: 'main', params: [['total', 'u32'], ...GEOM, ['hasBias', 'u32']], reads: 3, writes: 1, workgroupSize: 256,
});

const STORAGE = 0x80;
const dummies = new WeakMap<Gpu, GPUBuffer>();
/** A 16-byte buffer bound where a kernel's optional input (bias) is absent. */
export function dummyBuffer(): GPUBuffer {
  const gpu = getGpu();
  let b = dummies.get(gpu);
  if (!b) dummies.set(gpu, (b = gpu.device.createBuffer({ size: 16, usage: STORAGE, label: 'conv-dummy' })));
  return b;
}

function geomParams(g: ConvGeometry): Record<string, number> {
  return {
    Ci: g.Ci, Co: g.Co, groups: g.groups, H: g.H, W: g.W, OH: g.OH, OW: g.OW,
    kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, pt: g.pt, pl: g.pl,
  };
}

/** OIHW weights → the packed GEMM operand of conv2d*.wgsl, rows padded to whole 8-channel blocks
 *  (transposed: rows over output channels, for grad-input; flip: taps reversed). */
export function packWeights(w: Tensor, g: ConvGeometry, transposed: boolean, flip = false, tapMajor = false): Tensor {
  const [R, cols] = transposed ? [g.Co, g.Ci] : [g.Ci, g.Co];
  const rowPad = Math.ceil(cols / 8) * 8;
  const khw = g.kh * g.kw;
  const n = g.groups * R * khw * rowPad;
  const out = Tensor.empty([n]);
  getGpu().dispatch(K_PACK, [w.buffer, out.buffer], { n, R, cols, rowPad, khw, CoF: g.Co, CiF: g.Ci }, n, { TRANSPOSED: transposed ? 1 : 0, FLIP: flip ? 1 : 0, TAP_MAJOR: tapMajor ? 1 : 0 });
  return out;
}

/** Implicit-GEMM forward on the vec4 kernel where it applies (W stride 1 or 2, copies fit), else the generic one. */
export function convForwardRaw(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  if (!vec4Applies(g)) return convForwardGenericRaw(x, w, bias, g);
  const wp = packWeights(w, g, false, false, true);
  const out = igemmVec4Raw(x, wp, bias, g);
  wp.dispose();
  return out;
}

/** Generic implicit-GEMM forward (any stride; bounds-checked scalar gathers): y = conv(x, w) + bias. */
export function convForwardGenericRaw(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  const out = Tensor.empty([g.N, g.groups * g.Co, g.OH, g.OW]);
  const wp = packWeights(w, g, false);
  const coBlocks = Math.ceil(g.Co / 8);
  const pixels = g.OH * Math.ceil(g.OW / 4);
  getGpu().dispatch(
    K_IGEMM, [x.buffer, wp.buffer, bias ? bias.buffer : dummyBuffer(), out.buffer],
    { ...geomParams(g), coBlocks, hasBias: bias ? 1 : 0 },
    [Math.ceil(pixels / 64), g.groups * coBlocks, g.N],
  );
  wp.dispose();
  return out;
}

/** Grad-input. Stride 1: a forward conv of dY with flipped, transposed weights and padding
 *  (k − 1)·d − p on the vec4 kernel. Otherwise the generic kernel in transposed mode. */
export function convGradInputRaw(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const pt = (g.kh - 1) * g.dh - g.pt;
  const pl = (g.kw - 1) * g.dw - g.pl;
  const t: ConvGeometry = { ...g, Ci: g.Co, Co: g.Ci, H: g.OH, W: g.OW, OH: g.H, OW: g.W, pt, pl };
  if (g.sh !== 1 || g.sw !== 1 || pt < 0 || pl < 0 || !vec4Applies(t)) return convGradInputGenericRaw(dy, w, g);
  const wp = packWeights(w, g, true, true, true);
  const out = igemmVec4Raw(dy, wp, null, t);
  wp.dispose();
  return out;
}

/** Grad-input as a phase-decomposed transposed conv on the generic kernel (any stride). */
export function convGradInputGenericRaw(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const out = Tensor.empty([g.N, g.groups * g.Ci, g.H, g.W]);
  const wp = packWeights(w, g, true);
  const coBlocks = Math.ceil(g.Ci / 8);
  // The largest phase: ceil(H / sh) rows × ceil(ceil(W / sw) / 4) blocks.
  const pixels = Math.ceil(g.H / g.sh) * Math.ceil(Math.ceil(g.W / g.sw) / 4);
  // Source and destination swap roles: the source is dY (Co channels, OH×OW), the destination dX.
  const t: ConvGeometry = { ...g, Ci: g.Co, Co: g.Ci, H: g.OH, W: g.OW, OH: g.H, OW: g.W };
  getGpu().dispatch(
    K_TRANSPOSED, [dy.buffer, wp.buffer, dummyBuffer(), out.buffer],
    { ...geomParams(t), coBlocks, hasBias: 0 },
    [Math.ceil(pixels / 64), g.groups * coBlocks, g.N * g.sh * g.sw],
  );
  wp.dispose();
  return out;
}

/** Invocations a split weight-gradient pass aims for (2 cores × 8 SIMD lanes × enough to balance). */
const WGRAD_TARGET_INVOCATIONS = 8192;
const WGRAD_MIN_CHUNK = 64;

/** Grad-weight: dW = Σ over batch × space, split into chunks whose partials are summed after. */
export function convGradWeightRaw(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  const R = g.Ci * g.kh * g.kw;
  const coBlocks = Math.ceil(g.Co / 8);
  const perSplit = Math.ceil(R / 4) * g.groups * coBlocks;
  const P = g.N * g.OH * g.OW;
  let splits = Math.max(1, Math.min(Math.ceil(WGRAD_TARGET_INVOCATIONS / perSplit), Math.ceil(P / WGRAD_MIN_CHUNK)));
  const chunk = Math.ceil(P / splits);
  splits = Math.ceil(P / chunk);
  const cout = g.groups * g.Co;
  const part = Tensor.empty([splits, cout * R]);
  getGpu().dispatch(
    K_WGRAD, [x.buffer, dy.buffer, part.buffer],
    { N: g.N, ...geomParams(g), coBlocks, chunk },
    [Math.ceil(Math.ceil(R / 4) / 64), g.groups * coBlocks, splits],
  );
  const sum = splits === 1 ? part.view([1, cout * R]) : reduceRaw('sum', part, [0]);
  part.dispose();
  const dw = sum.view([cout, g.Ci, g.kh, g.kw]);
  sum.dispose();
  return dw;
}

/** The naive one-output-per-invocation reference kernel. */
export function convNaiveRaw(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  const out = Tensor.empty([g.N, g.groups * g.Co, g.OH, g.OW]);
  getGpu().dispatch(
    K_NAIVE, [x.buffer, w.buffer, bias ? bias.buffer : dummyBuffer(), out.buffer],
    { total: out.size, ...geomParams(g), hasBias: bias ? 1 : 0 }, out.size,
  );
  return out;
}

/** 1×1, stride 1, no padding, one group: Y[n] = W[Co, Ci] · X[n][Ci, H·W] on matmulRaw. */
export function pointwiseRaw(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  const wm = w.view([g.Co, g.Ci]);
  const xm = x.view([g.N, g.Ci, g.H * g.W]);
  const y = matmulRaw(wm, xm);
  wm.dispose();
  xm.dispose();
  let out = y.view([g.N, g.Co, g.H, g.W]);
  y.dispose();
  if (bias) {
    const b = bias.view([1, g.Co, 1, 1]);
    const biased = binaryRaw('add', out, b);
    b.dispose();
    out.dispose();
    out = biased;
  }
  return out;
}

/** Pointwise grad-input: dX[n] = Wᵀ · dY[n]. */
export function pointwiseGradInputRaw(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const wm = w.view([g.Co, g.Ci]);
  const gm = dy.view([g.N, g.Co, g.H * g.W]);
  const dx = matmulRaw(wm, gm, { transA: true });
  wm.dispose();
  gm.dispose();
  const out = dx.view([g.N, g.Ci, g.H, g.W]);
  dx.dispose();
  return out;
}

/** Pointwise grad-weight: dW = Σ_n dY[n] · X[n]ᵀ. */
export function pointwiseGradWeightRaw(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  const gm = dy.view([g.N, g.Co, g.H * g.W]);
  const xm = x.view([g.N, g.Ci, g.H * g.W]);
  const per = matmulRaw(gm, xm, { transB: true });
  gm.dispose();
  xm.dispose();
  const sum = g.N === 1 ? per.view(per.shape) : reduceRaw('sum', per, [0]);
  per.dispose();
  const dw = sum.view([g.Co, g.Ci, 1, 1]);
  sum.dispose();
  return dw;
}

/** Bias gradient: Σ over batch and space of dY. */
export function biasGradRaw(dy: Tensor): Tensor {
  const s = reduceRaw('sum', dy, [0, 2, 3]);
  const db = s.view([dy.shape[1]]);
  s.dispose();
  return db;
}
