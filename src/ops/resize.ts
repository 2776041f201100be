// Bilinear resize of NCHW tensors to a target size (PyTorch F.interpolate, mode 'bilinear',
// align_corners false or true), forward and its gather backward (kernels/resize.wgsl).
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [
  ['planes', 'u32'], ['H', 'u32'], ['W', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
  ['scale_h', 'f32'], ['scale_w', 'f32'], ['align', 'u32'],
] as const;
const K_RESIZE = defineKernel({ file: 'resize', entry: 'resize_bilinear', params: PARAMS, reads: 1, writes: 1, workgroupSize: 64 });
const K_RESIZE_GRAD = defineKernel({ file: 'resize', entry: 'resize_bilinear_grad', params: PARAMS, reads: 1, writes: 1, workgroupSize: 64 });

export interface ResizeOptions {
  /** PyTorch align_corners. Default false. */
  alignCorners?: boolean;
}

/** PyTorch's area_pixel_compute_scale for a given output size. */
function axisScale(inN: number, outN: number, align: boolean): number {
  if (align) return outN > 1 ? (inN - 1) / (outN - 1) : 0;
  return inN / outN;
}

/** Resize H and W of [N, C, H, W] to `size` = [outH, outW] by bilinear interpolation. */
export function resizeBilinear(x: Tensor, size: readonly [number, number], opts: ResizeOptions = {}): Tensor {
  if (x.rank !== 4 || x.dtype !== 'f32') throw new Error(`resizeBilinear: x must be f32 [N, C, H, W], got ${x.dtype} ${fmt(x.shape)}`);
  const [OH, OW] = size;
  if (!Number.isInteger(OH) || !Number.isInteger(OW) || OH < 1 || OW < 1) {
    throw new Error(`resizeBilinear: size must be two positive integers, got ${fmt(size)}`);
  }
  const [N, C, H, W] = x.shape;
  if (H < 1 || W < 1) throw new Error(`resizeBilinear: empty plane in x ${fmt(x.shape)}`);
  const align = opts.alignCorners ?? false;
  const params = {
    planes: N * C, H, W, OH, OW,
    scale_h: axisScale(H, OH, align), scale_w: axisScale(W, OW, align), align: align ? 1 : 0,
  };
  const out = Tensor.empty([N, C, OH, OW]);
  if (out.size > 0) getGpu().dispatch(K_RESIZE, [x.buffer, out.buffer], params, out.size);
  if (needsGrad(x)) {
    record('resizeBilinear', out, [x], [], (g) => {
      const gx = Tensor.empty(x.shape);
      if (gx.size > 0) getGpu().dispatch(K_RESIZE_GRAD, [g.buffer, gx.buffer], params, gx.size);
      return [gx];
    });
  }
  return out;
}
