// albumentations ElasticTransform (alpha, sigma, alpha_affine = 0, approximate = False) as SBI applies it
// to the blend mask: displacement = gaussian_filter(U(−1, 1) noise, σ) · α per axis (scipy: mode 'reflect',
// truncate 4), then remap with nearest sampling and border reflect-101. The noise comes from the project's
// seeded Rng (not NumPy's), so fields match albumentations in law, not bit for bit.
import { tensor } from '../../tensor/create.ts';
import type { Rng } from '../../tensor/random.ts';
import { tidy } from '../../tensor/scope.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { scipyGaussianKernel1d, separableBlur } from './blur.ts';
import { remap, type Interp } from './warp.ts';

export interface ElasticOptions {
  /** default 50 (SBI) */
  alpha?: number;
  /** default 7 (SBI) */
  sigma?: number;
}

/** Smooth displacement fields dx, dy [h, w] in pixels. */
export function elasticDisplacement(h: number, w: number, rng: Rng, o: ElasticOptions = {}): { dx: Tensor; dy: Tensor } {
  const alpha = o.alpha ?? 50;
  if (!(alpha >= 0)) throw new Error(`elasticDisplacement: alpha must be ≥ 0, got ${alpha}`);
  // α folded into the kernel: blur(noise)·α in one pass.
  const kernel = scipyGaussianKernel1d(o.sigma ?? 7).map((v) => v * Math.sqrt(alpha));
  const field = () => {
    const noise = new Float32Array(h * w);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.uniform(-1, 1);
    return tidy(() => separableBlur(tensor(noise, [h, w]), [kernel], 'reflect'));
  };
  const dx = field();
  const dy = field();
  return { dx, dy };
}

/** Elastic deformation of an image or mask [..., H, W] (nearest sampling by default, as for masks). */
export function elasticTransform(img: Tensor, rng: Rng, o: ElasticOptions & { interp?: Interp } = {}): Tensor {
  const s = img.shape;
  const { dx, dy } = elasticDisplacement(s[s.length - 2], s[s.length - 1], rng, o);
  const out = remap(img, dx, dy, { relative: true, interp: o.interp ?? 'nearest', border: 'reflect101' });
  dx.dispose();
  dy.dispose();
  return out;
}
