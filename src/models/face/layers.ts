// The layers face-api.js's nets are made of, on our ops (NCHW, TF 'same' padding as the originals).
import { conv2d } from '../../ops/conv2d.ts';
import type { Padding } from '../../ops/conv-geometry.ts';
import { depthwiseConv2d } from '../../ops/depthwise.ts';
import { mul, sub } from '../../ops/elementwise.ts';
import { tensor } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { FaceWeights } from './weights.ts';

export function get(w: FaceWeights, name: string): Tensor {
  const t = w.get(name);
  if (!t) throw new Error(`face weights: no tensor ${name}`);
  return t;
}

/** TF separableConv2d(x, depthwise 3×3, pointwise 1×1, stride, padding) + bias (default TF 'same'). */
export function separableConv(x: Tensor, w: FaceWeights, scope: string, stride: number, padding: Padding = 'same'): Tensor {
  const d = depthwiseConv2d(x, get(w, `${scope}.depthwise.weight`), { stride, padding });
  return conv2d(d, get(w, `${scope}.pointwise.weight`), { bias: get(w, `${scope}.bias`) });
}

/** Plain conv + bias, TF 'same' padding. */
export function convSame(x: Tensor, w: FaceWeights, scope: string, stride: number): Tensor {
  return conv2d(x, get(w, `${scope}.weight`), { bias: get(w, `${scope}.bias`), stride, padding: 'same' });
}

/** (x − mean[c]) / 255 on RGB in 0‥255, x [N, 3, H, W]. */
export function normalizeRgb(x: Tensor, mean: readonly [number, number, number]): Tensor {
  return mul(sub(x, tensor(mean, [1, 3, 1, 1])), 1 / 255);
}
