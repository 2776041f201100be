// conv2d, NCHW (docs/layout.md), PyTorch weight layout [Cout, Cin/groups, kh, kw]: stride, dilation,
// groups, bias, symmetric (PyTorch) or TensorFlow-SAME padding. Forward, and its backward right below.
// Which kernel runs is decided in chooseConvPath(); the kernels themselves are in conv2d-raw.ts.
import { needsGrad, record } from '../tensor/tape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { convGeometry, type ConvGeometry, type WindowOptions } from './conv-geometry.ts';
import { biasGradRaw, convForwardRaw, convGradInputRaw, convGradWeightRaw, convNaiveRaw } from './conv2d-raw.ts';
import { depthwiseForwardRaw, depthwiseGradInputRaw, depthwiseGradWeightRaw, depthwiseSupported } from './depthwise.ts';
import { pointwiseForward, pointwiseGradInput, pointwiseGradWeight } from './pointwise.ts';
import { fmt } from './shape-utils.ts';

export interface Conv2dOptions extends WindowOptions {
  bias?: Tensor | null;
}

export type { ConvGeometry } from './conv-geometry.ts';

export type ConvPath = 'pointwise' | 'depthwise' | 'igemm' | 'naive';

function envFlag(name: string): boolean {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return v !== undefined && v !== '' && v !== '0';
}

/**
 * The one place that picks a conv kernel (thresholds measured on lavapipe, bench/conv2d.ts):
 * - SEEABLE_NAIVE_CONV=1: the naive reference kernel for every forward (debugging).
 * - 1×1, stride 1, no padding, one group → pointwise: a GEMM over channels; pointwise.ts decides
 *   between one channel-major GEMM over all N·H·W pixels and per-sample matmuls W·X[n].
 * - one input channel and one output channel per group with a window of ≤ 25 taps → the depthwise
 *   kernel (MBConv's spatial conv): 4×4 output tiles, each input row read once for every output row
 *   it feeds; grad-input as the same kernel (stride 1) or phase-decomposed tiles (stride 2).
 * - everything else → the implicit GEMM: conv2d_vec4.wgsl for W stride 1 or 2 (its main loop runs at
 *   the blocked matmul's speed on the same GEMM, measured, without materialising the Cin·kh·kw × OH·OW
 *   im2col matrix), conv2d.wgsl for other strides.
 */
export function chooseConvPath(g: ConvGeometry): ConvPath {
  if (envFlag('SEEABLE_NAIVE_CONV')) return 'naive';
  const noPad = g.pt === 0 && g.pl === 0 && g.OH === g.H && g.OW === g.W;
  if (g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && noPad && g.groups === 1) return 'pointwise';
  if (g.Ci === 1 && g.Co === 1 && g.groups > 1 && depthwiseSupported(g)) return 'depthwise';
  return 'igemm';
}

/** 2-D convolution, NCHW: x [N, C, H, W], w [Cout, C/groups, kh, kw], bias [Cout]. */
export function conv2d(x: Tensor, w: Tensor, o: Conv2dOptions = {}): Tensor {
  const g = convGeometry(x.shape, w.shape, o);
  const bias = o.bias ?? null;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== w.shape[0])) throw new Error(`conv2d: bias ${fmt(bias.shape)} must be [${w.shape[0]}]`);
  return convWithGeometry(x, w, bias, g, chooseConvPath(g));
}

/** conv2d with the path forced (tests and benches compare paths on the same shapes). */
export function convWithGeometry(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeometry, path: ConvPath): Tensor {
  const out =
    path === 'pointwise' ? pointwiseForward(x, w, bias, g)
    : path === 'depthwise' ? depthwiseForwardRaw(x, w, bias, g)
    : path === 'naive' ? convNaiveRaw(x, w, bias, g)
    : convForwardRaw(x, w, bias, g);
  const inputs = bias ? [x, w, bias] : [x, w];
  if (needsGrad(...inputs)) {
    record('conv2d', out, inputs, [x, w], (dy) => [
      x.requiresGrad ? convGradInput(dy, w, g, path) : null,
      w.requiresGrad ? convGradWeight(x, dy, g, path) : null,
      bias?.requiresGrad ? biasGradRaw(dy) : null,
    ]);
  }
  return out;
}

function convGradInput(dy: Tensor, w: Tensor, g: ConvGeometry, path: ConvPath): Tensor {
  if (path === 'pointwise') return pointwiseGradInput(dy, w, g);
  if (path === 'depthwise') return depthwiseGradInputRaw(dy, w, g);
  return convGradInputRaw(dy, w, g);
}

function convGradWeight(x: Tensor, dy: Tensor, g: ConvGeometry, path: ConvPath): Tensor {
  if (path === 'pointwise') return pointwiseGradWeight(x, dy, g);
  if (path === 'depthwise') return depthwiseGradWeightRaw(x, dy, g);
  return convGradWeightRaw(x, dy, g);
}
