// The vec4 implicit-GEMM conv (kernels/conv2d_vec4.wgsl): write the zero-padded source as 4·SW
// shifted, vec4-aligned copies, then run the bounds-check-free main loop. Forward-only;
// conv2d-raw.ts decides when it applies (vec4Applies).
import { getGpu } from '../gpu/device.ts';
import { defineKernel, grid1d } from '../gpu/kernel.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { ConvGeometry } from './conv-geometry.ts';
import { dummyBuffer } from './conv2d-raw.ts';

const K_SHIFT = defineKernel({
  file: 'conv2d_vec4', entry: 'shift',
  params: [['total', 'u32'], ['count', 'u32'], ['plane0', 'u32'], ['H', 'u32'], ['W', 'u32'], ['Hp', 'u32'], ['Wq', 'u32'], ['pt', 'i32'], ['pl', 'i32']],
  reads: 1, writes: 1, workgroupSize: 256,
});
const K_MAIN = defineKernel({
  file: 'conv2d_vec4', entry: 'main',
  params: [
    ['Ci', 'u32'], ['Co', 'u32'], ['groups', 'u32'], ['Hp', 'u32'], ['Wq', 'u32'], ['copy4', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
    ['kh', 'u32'], ['kw', 'u32'], ['sh', 'u32'], ['dh', 'u32'], ['dw', 'u32'], ['coBlocks', 'u32'], ['hasBias', 'u32'],
  ],
  reads: 3, writes: 1, workgroupSize: 64,
});

/** Size of one shifted copy: padded rows Hp, columns Wq (covering the widest tap offset). */
function shiftedCopy(g: ConvGeometry): { Hp: number; Wq: number; total: number; bytes: number } {
  const Hp = (g.OH - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const qmax = Math.floor(((g.kw - 1) * g.dw) / g.sw);
  const Wq = 4 * Math.ceil(g.OW / 4) + 4 * Math.floor(qmax / 4);
  const total = g.N * g.groups * g.Ci * Hp * Wq;
  return { Hp, Wq, total, bytes: 4 * g.sw * total * 4 };
}

/** W stride 1 or 2, and the shifted copies fit one storage binding. */
export function vec4Applies(g: ConvGeometry): boolean {
  if (g.sw !== 1 && g.sw !== 2) return false;
  return shiftedCopy(g).bytes <= getGpu().limits.maxStorageBufferBindingSize;
}

/** Kernels divide flat indices in f32 (qdiv in the WGSL): exact below 2^23; we stay below 2^22. */
export const MAX_DIVIDED_INDEX = 1 << 22;

/** Write `copies` shifted copies of src (planes N·C) into xs, a range of planes per dispatch so that
 *  every flat index the kernel divides stays below MAX_DIVIDED_INDEX. */
function shiftCopies(src: Tensor, xs: Tensor, g: ConvGeometry, Hp: number, Wq: number, copies: number, sw: number): void {
  const planes = src.shape[0] * src.shape[1];
  const total = planes * Hp * Wq;
  const per = Math.max(1, Math.floor(MAX_DIVIDED_INDEX / (Hp * Wq)));
  for (let plane0 = 0; plane0 < planes; plane0 += per) {
    const count = Math.min(per, planes - plane0) * Hp * Wq;
    const [sx, sy] = grid1d(count, 256);
    getGpu().dispatch(K_SHIFT, [src.buffer, xs.buffer], { total, count, plane0, H: g.H, W: g.W, Hp, Wq, pt: g.pt, pl: g.pl }, [sx, sy, copies], { SW: sw });
  }
}

/** conv of `src` with weights packed tap-major (conv2d_pack.wgsl) for geometry `g`. */
export function igemmVec4Raw(src: Tensor, wp: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  if (!vec4Applies(g)) throw new Error('conv2d (vec4 kernel): needs W stride 1 or 2 and shifted copies within one binding');
  const gpu = getGpu();
  const { Hp, Wq, total } = shiftedCopy(g);
  const copies = 4 * g.sw;
  const xs = Tensor.empty([copies * total]);
  shiftCopies(src, xs, g, Hp, Wq, copies, g.sw);
  const out = Tensor.empty([g.N, g.groups * g.Co, g.OH, g.OW]);
  const coBlocks = Math.ceil(g.Co / 8);
  gpu.dispatch(
    K_MAIN, [xs.buffer, wp.buffer, bias ? bias.buffer : dummyBuffer(), out.buffer],
    {
      Ci: g.Ci, Co: g.Co, groups: g.groups, Hp, Wq, copy4: total / 4, OH: g.OH, OW: g.OW,
      kh: g.kh, kw: g.kw, sh: g.sh, dh: g.dh, dw: g.dw, coBlocks, hasBias: bias ? 1 : 0,
    },
    [Math.ceil((g.OH * Math.ceil(g.OW / 4)) / 64), g.groups * coBlocks, g.N], { SW: g.sw },
  );
  xs.dispose();
  return out;
}
