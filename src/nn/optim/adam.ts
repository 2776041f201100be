// Adam and AdamW with PyTorch's semantics (amsgrad off): bias-corrected moments, eps added
// outside the square root; Adam adds weight decay to the gradient (L2), AdamW decays the
// weights directly by lr·wd before the update. Bias corrections are computed here in float64.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { zeros } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { num, Optimizer, type Hyper, type ParamList } from './optimizer.ts';

const K_ADAM = defineKernel({
  file: 'optim', entry: 'adam',
  params: [
    ['n', 'u32'], ['step_size', 'f32'], ['bc2_sqrt', 'f32'], ['beta1', 'f32'],
    ['beta2', 'f32'], ['eps', 'f32'], ['l2', 'f32'], ['decay_mul', 'f32'],
  ],
  reads: 1, writes: 3, workgroupSize: 256,
});

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly kind: string = 'adam';
  protected readonly stateKeys = ['exp_avg', 'exp_avg_sq'] as const;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights, not the gradient. */
  protected decoupled = false;

  constructor(params: ParamList, opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.validate();
  }

  private validate(): void {
    for (const b of [this.beta1, this.beta2]) if (!(b >= 0 && b < 1)) throw new Error(`${this.kind}: invalid beta ${b}`);
    if (!(this.eps >= 0)) throw new Error(`${this.kind}: invalid eps ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new Error(`${this.kind}: invalid weight decay ${this.weightDecay}`);
  }

  protected update(name: string, p: Tensor, g: Tensor, step: number): void {
    const m = this.stateTensor(name, 'exp_avg', () => zeros(p.shape)).t;
    const v = this.stateTensor(name, 'exp_avg_sq', () => zeros(p.shape)).t;
    const bc1 = 1 - this.beta1 ** step;
    const bc2 = 1 - this.beta2 ** step;
    getGpu().dispatch(K_ADAM, [g.buffer, p.buffer, m.buffer, v.buffer], {
      n: p.size,
      step_size: this.lr / bc1,
      bc2_sqrt: Math.sqrt(bc2),
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      l2: this.decoupled ? 0 : this.weightDecay,
      decay_mul: this.decoupled ? 1 - this.lr * this.weightDecay : 1,
    }, p.size);
  }

  hyper(): Hyper {
    return { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected setHyper(h: Hyper): void {
    this.lr = num(h, 'lr', this.kind);
    this.beta1 = num(h, 'beta1', this.kind);
    this.beta2 = num(h, 'beta2', this.kind);
    this.eps = num(h, 'eps', this.kind);
    this.weightDecay = num(h, 'weightDecay', this.kind);
    this.validate();
  }
}

/** AdamW (Loshchilov & Hutter); PyTorch's default weight decay 0.01. */
export class AdamW extends Adam {
  override readonly kind: string = 'adamw';
  constructor(params: ParamList, opts: AdamOptions = {}) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 1e-2 });
    this.decoupled = true;
  }
}
