// SGD with PyTorch's semantics: weight decay added to the gradient, momentum buffer initialised
// to the first gradient, dampening on later steps, optional Nesterov. Kernels: kernels/optim.wgsl.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { num, Optimizer, type Hyper, type ParamList } from './optimizer.ts';

const K_SGD = defineKernel({
  file: 'optim', entry: 'sgd', params: [['n', 'u32'], ['lr', 'f32'], ['wd', 'f32']], reads: 1, writes: 1, workgroupSize: 256,
});
const K_MOMENTUM = defineKernel({
  file: 'optim', entry: 'sgd_momentum',
  params: [['n', 'u32'], ['lr', 'f32'], ['wd', 'f32'], ['momentum', 'f32'], ['dampening', 'f32'], ['nesterov', 'u32'], ['first', 'u32']],
  reads: 1, writes: 2, workgroupSize: 256,
});

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly kind = 'sgd';
  protected readonly stateKeys = ['momentum_buffer'] as const;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;

  constructor(params: ParamList, opts: SgdOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.validate();
  }

  private validate(): void {
    if (!(this.momentum >= 0)) throw new Error(`SGD: invalid momentum ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new Error(`SGD: invalid weight decay ${this.weightDecay}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected update(name: string, p: Tensor, g: Tensor): void {
    const gpu = getGpu();
    if (this.momentum === 0) {
      gpu.dispatch(K_SGD, [g.buffer, p.buffer], { n: p.size, lr: this.lr, wd: this.weightDecay }, p.size);
      return;
    }
    // The first step writes the buffer whole (buf = d), so it needs no clearing.
    const { t: buf, fresh } = this.stateTensor(name, 'momentum_buffer', () => Tensor.empty(p.shape));
    gpu.dispatch(K_MOMENTUM, [g.buffer, p.buffer, buf.buffer], {
      n: p.size, lr: this.lr, wd: this.weightDecay, momentum: this.momentum, dampening: this.dampening,
      nesterov: this.nesterov ? 1 : 0, first: fresh ? 1 : 0,
    }, p.size);
  }

  hyper(): Hyper {
    return { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected setHyper(h: Hyper): void {
    this.lr = num(h, 'lr', this.kind);
    this.momentum = num(h, 'momentum', this.kind);
    this.dampening = num(h, 'dampening', this.kind);
    this.weightDecay = num(h, 'weightDecay', this.kind);
    this.nesterov = h.nesterov === true;
    this.validate();
  }
}
