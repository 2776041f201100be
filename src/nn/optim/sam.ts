// Sharpness-Aware Minimization (Foret et al. 2021), a wrapper around any base optimizer, after
// the reference implementation (davda54/sam): firstStep() climbs to w + e_w with
// e_w = ρ·g/‖g‖ (global L2 norm over all parameters; adaptive ASAM scales by w² and measures
// ‖|w|·g‖), remembering the original weights; secondStep() puts them back and lets the base
// optimizer step with the gradient taken at the perturbed point. All of it stays on the GPU.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { keep } from '../../tensor/scope.ts';
import { noGrad } from '../../tensor/tape.ts';
import { Tensor } from '../../tensor/tensor.ts';
import type { Hyper, Optimizer, OptimizerState } from './optimizer.ts';

const K_SUMSQ = defineKernel({
  file: 'optim', entry: 'sam_sumsq', params: [['n', 'u32'], ['count', 'u32'], ['offset', 'u32']],
  reads: 2, writes: 1, workgroupSize: 256,
});
const K_SCALE = defineKernel({
  file: 'optim', entry: 'sam_scale', params: [['count', 'u32'], ['rho', 'f32']], reads: 1, writes: 1, workgroupSize: 256,
});
const K_PERTURB = defineKernel({
  file: 'optim', entry: 'sam_perturb', params: [['n', 'u32']], reads: 2, writes: 2, workgroupSize: 256,
});

/** Elements each sam_sumsq invocation sums at least, and partial sums per tensor at most. */
const MIN_PER_PARTIAL = 32;
const MAX_PARTIALS = 4096;

export interface SamOptions {
  rho?: number;
  adaptive?: boolean;
}

export class SAM {
  rho: number;
  readonly adaptive: boolean;
  /** name → the weights before the perturbation (allocated once, reused every step) */
  private readonly saved = new Map<string, Tensor>();
  private perturbed: [string, Tensor][] | null = null;
  private partials: Tensor | null = null;
  private readonly scale: Tensor;

  constructor(readonly base: Optimizer, opts: SamOptions = {}) {
    this.rho = opts.rho ?? 0.05;
    this.adaptive = opts.adaptive ?? false;
    if (!(this.rho >= 0)) throw new Error(`SAM: invalid rho ${this.rho}`);
    this.scale = keep(Tensor.empty([1]));
  }

  get lr(): number {
    return this.base.lr;
  }
  set lr(v: number) {
    this.base.lr = v;
  }

  get params(): readonly [string, Tensor][] {
    return this.base.params;
  }

  /** w ← w + e_w for every parameter with a gradient; then drop the gradients (zeroGrad). */
  firstStep(zeroGrad = true): void {
    if (this.perturbed) throw new Error('SAM.firstStep() twice without secondStep()');
    const active = this.base.params.filter(([, p]) => p.grad && p.size > 0);
    if (!active.length) throw new Error('SAM.firstStep(): no parameter has a gradient (run backward() first)');
    const gpu = getGpu();
    const constants = { ADAPTIVE: this.adaptive ? 1 : 0 };
    noGrad(() => {
      const counts = active.map(([, p]) => Math.min(MAX_PARTIALS, Math.ceil(p.size / MIN_PER_PARTIAL)));
      const total = counts.reduce((a, b) => a + b, 0);
      if (!this.partials || this.partials.size < total) {
        this.partials?.dispose();
        this.partials = keep(Tensor.empty([total]));
      }
      let offset = 0;
      active.forEach(([name, p], i) => {
        const g = p.grad!;
        if (g.size !== p.size) throw new Error(`SAM: gradient of "${name}" has ${g.size} elements, the parameter ${p.size}`);
        gpu.dispatch(K_SUMSQ, [g.buffer, p.buffer, this.partials!.buffer], { n: p.size, count: counts[i], offset }, counts[i], constants);
        offset += counts[i];
      });
      gpu.dispatch(K_SCALE, [this.partials.buffer, this.scale.buffer], { count: total, rho: this.rho }, [1, 1, 1]);
      for (const [name, p] of active) {
        let old = this.saved.get(name);
        if (!old || old.size !== p.size) {
          old?.dispose();
          old = keep(Tensor.empty(p.shape));
          this.saved.set(name, old);
        }
        gpu.dispatch(K_PERTURB, [p.grad!.buffer, this.scale.buffer, p.buffer, old.buffer], { n: p.size }, p.size, constants);
      }
    });
    this.perturbed = active;
    if (zeroGrad) this.base.zeroGrad();
  }

  /** Restore the weights of firstStep() and step the base optimizer with the current gradients. */
  secondStep(zeroGrad = true): void {
    if (!this.perturbed) throw new Error('SAM.secondStep() without firstStep()');
    const gpu = getGpu();
    // Every perturbed weight is restored, whether or not it has a gradient now.
    for (const [name, p] of this.perturbed) gpu.copy(this.saved.get(name)!.buffer, 0, p.buffer, 0, p.size * 4);
    this.perturbed = null;
    this.base.step();
    if (zeroGrad) this.base.zeroGrad();
  }

  /** The gradients at w must already be there (backward done); `closure` recomputes the loss
   *  and its gradients at the perturbed point (forward + backward, e.g. inside a tidy). */
  step<T>(closure: () => T): T {
    this.firstStep(true);
    const r = closure();
    this.secondStep(true);
    return r;
  }

  zeroGrad(): void {
    this.base.zeroGrad();
  }

  hyper(): Hyper {
    return { rho: this.rho, adaptive: this.adaptive };
  }

  /** The base optimizer's state; SAM holds nothing between steps beyond its ρ. */
  stateDict(): OptimizerState {
    return this.base.stateDict();
  }

  loadStateDict(s: OptimizerState): void {
    this.base.loadStateDict(s);
  }

  dispose(): void {
    for (const t of this.saved.values()) t.dispose();
    this.saved.clear();
    this.partials?.dispose();
    this.partials = null;
    this.scale.dispose();
  }
}
