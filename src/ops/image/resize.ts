// cv2.resize for float images: INTER_LINEAR (half-pixel centres, source coordinate clamped at 0 and
// at the last pixel, no antialias when shrinking) and INTER_NEAREST (source index floor(dst · in/out)).
// The per-column and per-row taps are computed in float64 on the host, as OpenCV precomputes its
// tables, so the GPU only gathers and interpolates.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { tensor } from '../../tensor/create.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { imageDims, imageGrid, withSpatial } from './common.ts';

const K_RESIZE = defineKernel({
  file: 'warp', entry: 'resize', params: [['total', 'u32'], ['h', 'u32'], ['w', 'u32'], ['oh', 'u32'], ['ow', 'u32']],
  reads: 2, writes: 1, workgroupSize: 256,
});

export type ResizeInterp = 'linear' | 'nearest';

/** (source index, weight of the next pixel) for each of `out` positions over `size` source pixels. */
export function resizeTaps(size: number, out: number, interp: ResizeInterp): [number, number][] {
  const scale = size / out;
  const inverse = 1 / (out / size); // OpenCV's ifx = 1 / inv_scale_x, bit for bit
  return Array.from({ length: out }, (_, d): [number, number] => {
    if (interp === 'nearest') return [Math.min(Math.floor(d * inverse), size - 1), 0];
    const f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    let frac = f - s;
    if (s < 0) (s = 0), (frac = 0);
    if (s >= size - 1) (s = size - 1), (frac = 0);
    return [s, frac];
  });
}

/** cv2.resize(img, (outW, outH), interpolation) over the last two dims of [H, W] / [C, H, W] / [N, C, H, W]. */
export function cvResize(img: Tensor, outH: number, outW: number, interp: ResizeInterp = 'linear'): Tensor {
  const { n, c, h, w } = imageDims(img, 'cvResize');
  if (!(Number.isInteger(outH) && Number.isInteger(outW) && outH > 0 && outW > 0)) {
    throw new Error(`cvResize: output size ${outH}×${outW} must be positive integers`);
  }
  const taps = [...resizeTaps(w, outW, interp), ...resizeTaps(h, outH, interp)].flat();
  const table = tensor(taps, [outW + outH, 2]);
  const out = Tensor.empty(withSpatial(img.shape, outH, outW));
  getGpu().dispatch(K_RESIZE, [img.buffer, table.buffer, out.buffer], { total: out.size, h, w, oh: outH, ow: outW }, imageGrid(outH, outW, n * c));
  table.dispose();
  return out;
}
