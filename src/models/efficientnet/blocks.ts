// MBConv blocks with timm's member names. Expansion 1 (the first stage) is timm's
// DepthwiseSeparableConv: conv_dw → bn1 → swish → se → conv_pw → bn2. Otherwise InvertedResidual:
// conv_pw (expand) → bn1 → swish → conv_dw → bn2 → swish → se → conv_pwl (project) → bn3.
// Blocks with stride 1 and in = out add their input back, the branch dropped per sample in
// training with the block's drop-connect rate (stochastic depth, scaled by 1/keep).
import { Module } from '../../nn/module.ts';
import { dropConnect } from '../../ops/dropout.ts';
import { add } from '../../ops/elementwise.ts';
import type { Rng } from '../../tensor/random.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { BlockSpec, EfficientNetConfig } from './config.ts';
import { BatchNorm, Conv, SqueezeExcite, then } from './layers.ts';

export abstract class MBConvBase extends Module {
  constructor(readonly spec: BlockSpec, protected readonly dropRng: Rng) {
    super();
  }

  protected abstract branch(x: Tensor): Tensor;

  /** The BN whose γ closes the residual branch (zero-initialised on request). */
  abstract lastBn(): BatchNorm;

  forward(x: Tensor): Tensor {
    const y = this.branch(x);
    if (!this.spec.skip) return y;
    const dropped = this.training && this.spec.dropRate > 0 ? then(y, (t) => dropConnect(t, this.spec.dropRate, { rng: this.dropRng })) : y;
    return then(dropped, (t) => add(t, x));
  }
}

export class DepthwiseSeparable extends MBConvBase {
  readonly conv_dw: Conv;
  readonly bn1: BatchNorm;
  readonly se: SqueezeExcite;
  readonly conv_pw: Conv;
  readonly bn2: BatchNorm;

  constructor(spec: BlockSpec, cfg: EfficientNetConfig, rng: Rng, dropRng: Rng) {
    super(spec, dropRng);
    const c = spec.inChannels;
    this.conv_dw = this.registerModule('conv_dw', new Conv(c, c, spec.kernel, { stride: spec.stride, groups: c, padding: cfg.padding }, rng));
    this.bn1 = this.registerModule('bn1', new BatchNorm(c, cfg.bnEps, cfg.bnMomentum, 'silu'));
    this.se = this.registerModule('se', new SqueezeExcite(c, spec.seChannels, rng));
    this.conv_pw = this.registerModule('conv_pw', new Conv(c, spec.outChannels, 1, { padding: cfg.padding }, rng));
    this.bn2 = this.registerModule('bn2', new BatchNorm(spec.outChannels, cfg.bnEps, cfg.bnMomentum));
  }

  lastBn(): BatchNorm {
    return this.bn2;
  }

  protected branch(x: Tensor): Tensor {
    let h = this.conv_dw.forward(x);
    h = then(h, (t) => this.bn1.forward(t)); // + swish, fused
    h = then(h, (t) => this.se.forward(t));
    h = then(h, (t) => this.conv_pw.forward(t));
    return then(h, (t) => this.bn2.forward(t));
  }
}

export class InvertedResidual extends MBConvBase {
  readonly conv_pw: Conv;
  readonly bn1: BatchNorm;
  readonly conv_dw: Conv;
  readonly bn2: BatchNorm;
  readonly se: SqueezeExcite;
  readonly conv_pwl: Conv;
  readonly bn3: BatchNorm;

  constructor(spec: BlockSpec, cfg: EfficientNetConfig, rng: Rng, dropRng: Rng) {
    super(spec, dropRng);
    const { inChannels: cin, midChannels: mid, outChannels: cout } = spec;
    const bn = (c: number, act: 'silu' | null = 'silu') => new BatchNorm(c, cfg.bnEps, cfg.bnMomentum, act);
    this.conv_pw = this.registerModule('conv_pw', new Conv(cin, mid, 1, { padding: cfg.padding }, rng));
    this.bn1 = this.registerModule('bn1', bn(mid));
    this.conv_dw = this.registerModule('conv_dw', new Conv(mid, mid, spec.kernel, { stride: spec.stride, groups: mid, padding: cfg.padding }, rng));
    this.bn2 = this.registerModule('bn2', bn(mid));
    this.se = this.registerModule('se', new SqueezeExcite(mid, spec.seChannels, rng));
    this.conv_pwl = this.registerModule('conv_pwl', new Conv(mid, cout, 1, { padding: cfg.padding }, rng));
    this.bn3 = this.registerModule('bn3', bn(cout, null));
  }

  lastBn(): BatchNorm {
    return this.bn3;
  }

  protected branch(x: Tensor): Tensor {
    let h = this.conv_pw.forward(x);
    h = then(h, (t) => this.bn1.forward(t)); // + swish, fused
    h = then(h, (t) => this.conv_dw.forward(t));
    h = then(h, (t) => this.bn2.forward(t)); // + swish, fused
    h = then(h, (t) => this.se.forward(t));
    h = then(h, (t) => this.conv_pwl.forward(t));
    return then(h, (t) => this.bn3.forward(t));
  }
}

export function makeBlock(spec: BlockSpec, cfg: EfficientNetConfig, rng: Rng, dropRng: Rng): MBConvBase {
  return spec.expand === 1 ? new DepthwiseSeparable(spec, cfg, rng, dropRng) : new InvertedResidual(spec, cfg, rng, dropRng);
}
