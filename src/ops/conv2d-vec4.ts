// The vec4 implicit-GEMM conv (kernels/conv2d_vec4.wgsl): zero-pad the source into a vec4-aligned
// copy, then run the bounds-check-free main loop. Forward-only; conv2d-raw.ts decides when it applies.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { ConvGeometry } from './conv-geometry.ts';
import { dummyBuffer } from './conv2d-raw.ts';

const K_PAD = defineKernel({
  file: 'conv2d_vec4', entry: 'pad',
  params: [['total', 'u32'], ['H', 'u32'], ['W', 'u32'], ['Hp', 'u32'], ['Wp', 'u32'], ['pt', 'i32'], ['pl', 'i32']],
  reads: 1, writes: 1, workgroupSize: 256,
});
const K_MAIN = defineKernel({
  file: 'conv2d_vec4', entry: 'main',
  params: [
    ['Ci', 'u32'], ['Co', 'u32'], ['groups', 'u32'], ['Hp', 'u32'], ['Wp', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
    ['kh', 'u32'], ['kw', 'u32'], ['sh', 'u32'], ['dh', 'u32'], ['dw', 'u32'], ['coBlocks', 'u32'], ['hasBias', 'u32'],
  ],
  reads: 3, writes: 1, workgroupSize: 64,
});

/** conv of `src` with weights already packed (conv2d_pack.wgsl) for geometry `g`; g.sw must be 1 or 2. */
export function igemmVec4Raw(src: Tensor, wp: Tensor, bias: Tensor | null, g: ConvGeometry): Tensor {
  if (g.sw !== 1 && g.sw !== 2) throw new Error(`conv2d (vec4 kernel): W stride ${g.sw} is not 1 or 2`);
  const gpu = getGpu();
  const owBlocks = Math.ceil(g.OW / 4);
  // Rows and columns the main loop may touch, including the aligned vec4 reads past the last tap.
  const Hp = (g.OH - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const Wp = Math.ceil((4 * owBlocks * g.sw + (g.kw - 1) * g.dw + 8) / 4) * 4;
  const C = g.groups * g.Ci;
  const total = g.N * C * Hp * Wp;
  const xp = Tensor.empty([total]);
  gpu.dispatch(K_PAD, [src.buffer, xp.buffer], { total, H: g.H, W: g.W, Hp, Wp, pt: g.pt, pl: g.pl }, total);
  const out = Tensor.empty([g.N, g.groups * g.Co, g.OH, g.OW]);
  const coBlocks = Math.ceil(g.Co / 8);
  gpu.dispatch(
    K_MAIN, [xp.buffer, wp.buffer, bias ? bias.buffer : dummyBuffer(), out.buffer],
    { Ci: g.Ci, Co: g.Co, groups: g.groups, Hp, Wp, OH: g.OH, OW: g.OW, kh: g.kh, kw: g.kw, sh: g.sh, dh: g.dh, dw: g.dw, coBlocks, hasBias: bias ? 1 : 0 },
    [Math.ceil((g.OH * owBlocks) / 64), g.groups * coBlocks, g.N], { SW: g.sw },
  );
  xp.dispose();
  return out;
}
