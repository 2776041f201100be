// SBI's "dynamic blend" soft mask (method spec §3.2 step 4), on the GPU:
//   resize to a random (sh, sw) → Gaussian blur k1 (σ from k1) → threshold at 0.5 (what SBI's uint8
//   rounding + "zero below the max" does) → Gaussian blur k2 with σ2 → divide by the max → × blend ratio
//   → resize back. The ratio is applied before the final resize (both are linear, so it commutes).
import { getGpu } from '../../gpu/device.ts';
import type { Rng } from '../../tensor/random.ts';
import { tidy } from '../../tensor/scope.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { fmt } from '../shape-utils.ts';
import { scaleByPlaneMax, threshold } from './blend.ts';
import { gaussianBlur } from './blur.ts';
import { cvResize } from './resize.ts';

export interface SoftMaskParams {
  /** intermediate size, each uniform integer in [192, 256] */
  sizeH: number;
  sizeW: number;
  /** first blur window, odd in [5, 25]; σ from k1 */
  k1: number;
  /** second blur window, odd in [5, 25] */
  k2: number;
  /** second blur σ, integer in [5, 45] */
  sigma2: number;
  /** from {0.25, 0.5, 0.75, 1, 1, 1} */
  ratio: number;
}

/** SBI's get_blend_mask draws (np.random.randint(192, 257), random.randrange(5, 26, 2), randint(5, 46)). */
export function sampleSoftMaskParams(rng: Rng): SoftMaskParams {
  const odd = () => 5 + 2 * rng.int(11);
  return {
    sizeH: 192 + rng.int(65),
    sizeW: 192 + rng.int(65),
    k1: odd(),
    k2: odd(),
    sigma2: 5 + rng.int(41),
    ratio: [0.25, 0.5, 0.75, 1, 1, 1][rng.int(6)],
  };
}

/** The soft mask of one binary mask [H, W] (or [1, 1, H, W]). */
export function softMask(mask: Tensor, p: SoftMaskParams): Tensor {
  const s = mask.shape;
  const h = s[s.length - 2];
  const w = s[s.length - 1];
  if (mask.size !== h * w) throw new Error(`softMask: expects one mask [H, W], got ${fmt(s)}`);
  return tidy(() => {
    const small = cvResize(mask, p.sizeH, p.sizeW, 'linear');
    const core = threshold(gaussianBlur(small, { k: p.k1, sigma: 0 }), 0.5);
    const soft = scaleByPlaneMax(gaussianBlur(core, { k: p.k2, sigma: p.sigma2 }), p.ratio);
    return cvResize(soft, h, w, 'linear');
  });
}

/** Soft masks of a batch of masks [N, 1, H, W], one parameter set per mask. */
export function softMasks(masks: Tensor, params: readonly SoftMaskParams[]): Tensor {
  const s = masks.shape;
  if (s.length !== 4 || s[1] !== 1 || params.length !== s[0]) {
    throw new Error(`softMasks: expects masks [N, 1, H, W] and N parameter sets, got ${fmt(s)} and ${params.length}`);
  }
  const plane = s[2] * s[3];
  const out = Tensor.empty(s);
  const gpu = getGpu();
  params.forEach((p, i) => {
    tidy(() => {
      const one = Tensor.empty([s[2], s[3]]);
      gpu.copy(masks.buffer, i * plane * 4, one.buffer, 0, plane * 4);
      const m = softMask(one, p);
      gpu.copy(m.buffer, 0, out.buffer, i * plane * 4, plane * 4);
    });
  });
  return out;
}
