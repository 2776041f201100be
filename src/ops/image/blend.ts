// Masked blending X = M·source + (1 − M)·target and per-pixel mask helpers (threshold, divide by the
// per-plane max). Data generation only: no autograd.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { tensor } from '../../tensor/create.ts';
import { tidy } from '../../tensor/scope.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { reduceRaw } from '../reduce.ts';
import { fmt } from '../shape-utils.ts';
import { imageDims, perImage } from './common.ts';

const K_BLEND = defineKernel({
  file: 'blend', entry: 'blend', params: [['total', 'u32'], ['hw', 'u32'], ['c', 'u32'], ['mask_stride', 'u32']],
  reads: 4, writes: 1, workgroupSize: 256,
});
const MASK_PARAMS = [['total', 'u32'], ['hw', 'u32'], ['t', 'f32']] as const;
const K_THRESHOLD = defineKernel({ file: 'blend', entry: 'threshold', params: MASK_PARAMS, reads: 1, writes: 1, workgroupSize: 256 });
const K_SCALE_MAX = defineKernel({ file: 'blend', entry: 'scale_by_max', params: MASK_PARAMS, reads: 3, writes: 1, workgroupSize: 256 });

/**
 * out = m·source + (1 − m)·target with m = mask·ratio. source, target: [C, H, W] or [N, C, H, W];
 * mask: [H, W] (all images) or [N, 1, H, W] / [1, H, W] (one per image, broadcast over channels);
 * ratio: one number or one per image (default 1).
 */
export function blend(source: Tensor, target: Tensor, mask: Tensor, ratio: number | readonly number[] = 1): Tensor {
  const { n, c, h, w } = imageDims(source, 'blend');
  if (source.shape.join() !== target.shape.join()) throw new Error(`blend: source ${fmt(source.shape)} and target ${fmt(target.shape)} differ`);
  const hw = h * w;
  const ms = mask.shape;
  if (mask.dtype !== 'f32' || ms[ms.length - 1] !== w || ms[ms.length - 2] !== h || (mask.size !== hw && mask.size !== n * hw)) {
    throw new Error(`blend: mask ${fmt(ms)} does not fit images ${fmt(source.shape)} (want [H, W] or [N, 1, H, W])`);
  }
  const out = Tensor.empty(source.shape);
  const r = tensor(perImage(ratio, n, 'blend', 'ratios'), [n]);
  getGpu().dispatch(K_BLEND, [source.buffer, target.buffer, mask.buffer, r.buffer, out.buffer],
    { total: out.size, hw, c, mask_stride: mask.size === hw ? 0 : hw }, out.size);
  r.dispose();
  return out;
}

/** 1 where x ≥ t, else 0. */
export function threshold(x: Tensor, t: number): Tensor {
  const out = Tensor.empty(x.shape);
  getGpu().dispatch(K_THRESHOLD, [x.buffer, out.buffer], { total: x.size, hw: 1, t }, x.size);
  return out;
}

/** x · scale / max(plane) for every plane of the last two dims (an all-zero plane stays 0);
 *  scale is one number or one per plane. */
export function scaleByPlaneMax(x: Tensor, scale: number | readonly number[] = 1): Tensor {
  const s = x.shape;
  if (s.length < 2) throw new Error(`scaleByPlaneMax: expects planes [..., H, W], got ${fmt(s)}`);
  const hw = s[s.length - 2] * s[s.length - 1];
  const planes = x.size / hw;
  return tidy(() => {
    const max = reduceRaw('max', x.view([planes, hw]), [1]);
    const sc = tensor(perImage(scale, planes, 'scaleByPlaneMax', 'scales'), [planes]);
    const out = Tensor.empty(s);
    getGpu().dispatch(K_SCALE_MAX, [x.buffer, max.buffer, sc.buffer, out.buffer], { total: x.size, hw, t: 0 }, x.size);
    return out;
  });
}
