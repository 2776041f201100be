// The layers EfficientNet is made of, as modules whose member names are PyTorch's (weight, bias,
// running_mean, running_var), so that a timm state dict loads by name. Initialisation follows
// timm's `_init_weight_goog`: conv weights ~ N(0, √(2 / fan_out)) with fan_out = k·k·Cout/groups,
// conv biases 0, BN γ = 1, β = 0, running mean 0 and variance 1.
import { Module } from '../../nn/module.ts';
import { batchNorm2d } from '../../ops/batchnorm.ts';
import { conv2d } from '../../ops/conv2d.ts';
import { squeezeExcite } from '../../ops/squeeze-excite.ts';
import { full, tensor, zeros } from '../../tensor/create.ts';
import type { Rng } from '../../tensor/random.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { PaddingMode } from './config.ts';

export function normalInit(shape: number[], std: number, rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal(0, std);
  return tensor(data, shape);
}

export interface ConvOptions {
  stride?: number;
  groups?: number;
  bias?: boolean;
  padding: PaddingMode;
}

/** A square conv with PyTorch weight layout [Cout, Cin/groups, k, k]. */
export class Conv extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly groups: number;
  private readonly pad: number | 'same';

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: number, o: ConvOptions, rng: Rng) {
    super();
    this.stride = o.stride ?? 1;
    this.groups = o.groups ?? 1;
    const fanOut = (kernel * kernel * outChannels) / this.groups;
    this.weight = this.registerParameter('weight', normalInit([outChannels, inChannels / this.groups, kernel, kernel], Math.sqrt(2 / fanOut), rng));
    this.bias = o.bias ? this.registerParameter('bias', zeros([outChannels])) : null;
    // 1×1 convs pad nothing in either convention; symmetric padding is PyTorch's k//2 (timm's get_padding for odd k).
    this.pad = kernel === 1 ? 0 : o.padding === 'same' ? 'same' : Math.floor(((this.stride - 1) + (kernel - 1)) / 2);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, { bias: this.bias, stride: this.stride, padding: this.pad, groups: this.groups });
  }
}

export class BatchNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  /** updated in place in training mode (running = (1 − momentum)·running + momentum·batch; see
   *  src/nn/precise-bn.ts for the exact recalibration); checkpoint loads write into them in place too */
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;

  /** swish after the affine, fused into the BN kernels (timm's BatchNormAct2d) */
  readonly act: 'silu' | null;

  constructor(readonly channels: number, readonly eps: number, public momentum: number, act: 'silu' | null = null) {
    super();
    this.act = act;
    this.weight = this.registerParameter('weight', full([channels], 1));
    this.bias = this.registerParameter('bias', zeros([channels]));
    this.runningMean = this.registerBuffer('running_mean', zeros([channels]));
    this.runningVar = this.registerBuffer('running_var', full([channels], 1));
  }

  forward(x: Tensor): Tensor {
    return batchNorm2d(x, this.weight, this.bias, this.runningMean, this.runningVar, {
      training: this.training, eps: this.eps, momentum: this.momentum, activation: this.act,
    });
  }
}

/** Free an intermediate once the next op has consumed it (the graph keeps what backward needs). */
export function then(x: Tensor, f: (x: Tensor) => Tensor): Tensor {
  const y = f(x);
  if (y !== x) x.dispose();
  return y;
}

/** Squeeze-excite: x · σ(conv_expand(swish(conv_reduce(mean_hw(x))))), both convs 1×1 with bias
 *  (timm's module and names; the op is src/ops/squeeze-excite.ts, its gate one fused kernel). */
export class SqueezeExcite extends Module {
  readonly conv_reduce: Conv;
  readonly conv_expand: Conv;

  constructor(channels: number, reduced: number, rng: Rng) {
    super();
    this.conv_reduce = this.registerModule('conv_reduce', new Conv(channels, reduced, 1, { bias: true, padding: 'symmetric' }, rng));
    this.conv_expand = this.registerModule('conv_expand', new Conv(reduced, channels, 1, { bias: true, padding: 'symmetric' }, rng));
  }

  forward(x: Tensor): Tensor {
    const r = this.conv_reduce, e = this.conv_expand;
    return squeezeExcite(x, r.weight, r.bias!, e.weight, e.bias!);
  }
}
