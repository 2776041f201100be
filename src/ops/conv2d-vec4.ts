// The vec4 implicit-GEMM conv (kernels/conv2d_vec4.wgsl): write the zero-padded source as 4·SW
// shifted, vec4-aligned copies, then run the bounds-check-free main loop; batches whose copies exceed
// one storage binding run in chunks of samples. Forward-only; conv2d-raw.ts decides when it applies.
import { getGpu } from '../gpu/device.ts';
import { defineKernel, grid1d } from '../gpu/kernel.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { ConvGeometry } from './conv-geometry.ts';
import { dummyBuffer } from './conv2d-raw.ts';

const K_SHIFT = defineKernel({
  file: 'conv2d_vec4', entry: 'shift',
  params: [['total', 'u32'], ['count', 'u32'], ['plane0', 'u32'], ['H', 'u32'], ['W', 'u32'], ['Hp', 'u32'], ['Wq', 'u32'], ['pt', 'i32'], ['pl', 'i32'], ['srcPlane0', 'u32'], ['copyIds', 'u32']],
  reads: 1, writes: 1, workgroupSize: 256,
});
const K_MAIN = defineKernel({
  file: 'conv2d_vec4', entry: 'main',
  params: [
    ['Ci', 'u32'], ['Co', 'u32'], ['groups', 'u32'], ['Hp', 'u32'], ['Wq', 'u32'], ['copy4', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
    ['kh', 'u32'], ['kw', 'u32'], ['sh', 'u32'], ['dh', 'u32'], ['dw', 'u32'], ['coBlocks', 'u32'], ['hasBias', 'u32'], ['n0', 'u32'],
  ],
  reads: 3, writes: 1, workgroupSize: 64,
});

/** Size of one shifted copy of `n` samples: padded rows Hp, columns Wq (covering the widest tap offset). */
function shiftedCopy(g: ConvGeometry, n = g.N): { Hp: number; Wq: number; total: number; bytes: number } {
  const Hp = (g.OH - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const qmax = Math.floor(((g.kw - 1) * g.dw) / g.sw);
  const Wq = 4 * Math.ceil(g.OW / 4) + 4 * Math.floor(qmax / 4);
  const total = n * g.groups * g.Ci * Hp * Wq;
  return { Hp, Wq, total, bytes: 4 * g.sw * total * 4 };
}

/** Samples per chunk: the most whose 4·SW shifted copies fit one storage binding (`maxBytes`). */
export function vec4ChunkSamples(g: ConvGeometry, maxBytes = getGpu().limits.maxStorageBufferBindingSize): number {
  return Math.min(g.N, Math.floor(maxBytes / shiftedCopy(g, 1).bytes));
}

/** W stride 1 or 2, and one sample's shifted copies fit one storage binding (larger batches run in chunks). */
export function vec4Applies(g: ConvGeometry): boolean {
  if (g.sw !== 1 && g.sw !== 2) return false;
  return vec4ChunkSamples(g) >= 1;
}

/** Kernels divide flat indices in f32 (qdiv in the WGSL): exact below 2^23; we stay below 2^22. */
export const MAX_DIVIDED_INDEX = 1 << 22;

/** The shifted copies main reads: tap offset off = kx·dw lies in copy (off mod SW)·4 + ⌊off / SW⌋ mod 4. */
export function usedCopies(g: ConvGeometry): number[] {
  const used = new Set<number>();
  for (let kx = 0; kx < g.kw; kx++) {
    const off = kx * g.dw;
    used.add((off % g.sw) * 4 + (Math.floor(off / g.sw) % 4));
  }
  return [...used].sort((a, b) => a - b);
}

/** Write the shifted copies main reads of planes [srcPlane0, srcPlane0 + planes) of src into xs, a
 *  range of planes per dispatch so that every flat index the kernel divides stays below MAX_DIVIDED_INDEX. */
function shiftCopies(src: Tensor, xs: Tensor, g: ConvGeometry, Hp: number, Wq: number, srcPlane0: number, planes: number): void {
  const total = planes * Hp * Wq;
  const copies = usedCopies(g);
  const copyIds = copies.reduce((bits, c, i) => bits | (c << (4 * i)), 0) >>> 0;
  const per = Math.max(1, Math.floor(MAX_DIVIDED_INDEX / (Hp * Wq)));
  for (let plane0 = 0; plane0 < planes; plane0 += per) {
    const count = Math.min(per, planes - plane0) * Hp * Wq;
    const [sx, sy] = grid1d(count / 4, 256); // a vec4 per invocation (Wq % 4 == 0)
    getGpu().dispatch(K_SHIFT, [src.buffer, xs.buffer], { total, count, plane0, H: g.H, W: g.W, Hp, Wq, pt: g.pt, pl: g.pl, srcPlane0, copyIds }, [sx, sy, copies.length], { SW: g.sw });
  }
}

/** conv of `src` with weights packed tap-major (conv2d_pack.wgsl) for geometry `g`, in chunks of
 *  samples whose shifted copies fit one binding (`chunk` forces a size: tests). */
export function igemmVec4Raw(src: Tensor, wp: Tensor, bias: Tensor | null, g: ConvGeometry, chunk = vec4ChunkSamples(g)): Tensor {
  if (!vec4Applies(g) || chunk < 1) throw new Error('conv2d (vec4 kernel): needs W stride 1 or 2 and the shifted copies of one sample within one binding');
  const gpu = getGpu();
  const out = Tensor.empty([g.N, g.groups * g.Co, g.OH, g.OW]);
  const coBlocks = Math.ceil(g.Co / 8);
  const copies = 4 * g.sw;
  const C = g.groups * g.Ci;
  for (let n0 = 0; n0 < g.N; n0 += chunk) {
    const n = Math.min(chunk, g.N - n0);
    const { Hp, Wq, total } = shiftedCopy(g, n);
    const xs = Tensor.empty([copies * total]);
    shiftCopies(src, xs, g, Hp, Wq, n0 * C, n * C);
    gpu.dispatch(
      K_MAIN, [xs.buffer, wp.buffer, bias ? bias.buffer : dummyBuffer(), out.buffer],
      {
        Ci: g.Ci, Co: g.Co, groups: g.groups, Hp, Wq, copy4: total / 4, OH: g.OH, OW: g.OW,
        kh: g.kh, kw: g.kw, sh: g.sh, dh: g.dh, dw: g.dw, coBlocks, hasBias: bias ? 1 : 0, n0,
      },
      [Math.ceil((g.OH * Math.ceil(g.OW / 4)) / 64), g.groups * coBlocks, n], { SW: g.sw },
    );
    xs.dispose(); // back to the pool: the next chunk's copies may reuse it, after this dispatch in stream order
  }
  return out;
}
