// Optimizer base: a named parameter list, lazily created per-parameter state (kept out of every
// scope), per-parameter step counts (a parameter without a gradient is skipped, as in PyTorch),
// and a state dict that checkpoints can enumerate and restore.
import { getGpu } from '../../gpu/device.ts';
import { keep } from '../../tensor/scope.ts';
import { noGrad } from '../../tensor/tape.ts';
import { Tensor } from '../../tensor/tensor.ts';

/** Parameters as a module gives them (namedParameters()) or a bare list (named '0', '1', …). */
export type ParamList = readonly Tensor[] | readonly (readonly [string, Tensor])[];
export type Hyper = Record<string, number | boolean | string>;

export interface OptimizerState {
  /** step() calls so far */
  step: number;
  /** '<param name>.<state key>' → state tensor (live tensors: read or copy them, do not dispose) */
  tensors: Map<string, Tensor>;
  /** hyper-parameters, with `kind` naming the optimizer */
  hyper: Hyper;
  /** updates applied to each parameter (PyTorch's per-parameter `step`) */
  paramSteps: Record<string, number>;
}

export function normalizeParams(params: ParamList): [string, Tensor][] {
  const named = params.map((p, i) => (p instanceof Tensor ? [String(i), p] : [p[0], p[1]]) as [string, Tensor]);
  const seen = new Set<string>();
  for (const [name, t] of named) {
    if (seen.has(name)) throw new Error(`Optimizer: parameter name "${name}" appears twice`);
    seen.add(name);
    if (t.dtype !== 'f32') throw new Error(`Optimizer: parameter "${name}" is ${t.dtype}; only f32 is trainable`);
  }
  return named;
}

export abstract class Optimizer {
  readonly params: readonly [string, Tensor][];
  /** The learning rate of the next step (a schedule sets it before each step). */
  lr: number;
  stepCount = 0;
  protected readonly state = new Map<string, Tensor>();
  protected readonly paramSteps = new Map<string, number>();
  /** The keys of per-parameter state tensors this optimizer may hold. */
  protected abstract readonly stateKeys: readonly string[];

  protected constructor(params: ParamList, lr: number) {
    this.params = normalizeParams(params);
    if (!(lr >= 0)) throw new Error(`Optimizer: invalid learning rate ${lr}`);
    this.lr = lr;
  }

  abstract readonly kind: string;
  /** Update one parameter in place from its gradient (`step` counts this update, from 1). */
  protected abstract update(name: string, p: Tensor, g: Tensor, step: number): void;
  abstract hyper(): Hyper;
  protected abstract setHyper(h: Hyper): void;

  /** One update of every parameter that has a gradient: one kernel dispatch per tensor. */
  step(): void {
    noGrad(() => {
      for (const [name, p] of this.params) {
        const g = p.grad;
        if (!g || p.size === 0) continue;
        if (g.size !== p.size) {
          throw new Error(`${this.kind}: gradient of "${name}" has ${g.size} elements, the parameter ${p.size}`);
        }
        const step = (this.paramSteps.get(name) ?? 0) + 1;
        this.paramSteps.set(name, step);
        this.update(name, p, g, step);
      }
    });
    this.stepCount++;
  }

  zeroGrad(): void {
    for (const [, p] of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** The state tensor `key` of parameter `name`, made by `init` (and kept) on first use. */
  protected stateTensor(name: string, key: string, init: () => Tensor): { t: Tensor; fresh: boolean } {
    const id = `${name}.${key}`;
    const have = this.state.get(id);
    if (have) return { t: have, fresh: false };
    const t = keep(init());
    this.state.set(id, t);
    return { t, fresh: true };
  }

  stateDict(): OptimizerState {
    return {
      step: this.stepCount,
      tensors: new Map(this.state),
      hyper: { kind: this.kind, ...this.hyper() },
      paramSteps: Object.fromEntries(this.paramSteps),
    };
  }

  /** Restore a state dict. Tensors are copied (the caller keeps ownership of its own). */
  loadStateDict(s: OptimizerState): void {
    if (s.hyper.kind !== undefined && s.hyper.kind !== this.kind) {
      throw new Error(`${this.kind}.loadStateDict: the state is from ${String(s.hyper.kind)}`);
    }
    const shapes = new Map(this.params.map(([n, p]) => [n, p]));
    const incoming = new Map<string, Tensor>();
    for (const [id, t] of s.tensors) {
      const dot = id.lastIndexOf('.');
      const name = id.slice(0, dot);
      const key = id.slice(dot + 1);
      const p = shapes.get(name);
      if (!p || !this.stateKeys.includes(key)) throw new Error(`${this.kind}.loadStateDict: unknown state "${id}"`);
      if (t.size !== p.size) {
        throw new Error(`${this.kind}.loadStateDict: "${id}" has ${t.size} elements, the parameter ${p.size}`);
      }
      incoming.set(id, t);
    }
    for (const name of Object.keys(s.paramSteps)) {
      if (!shapes.has(name)) throw new Error(`${this.kind}.loadStateDict: unknown parameter "${name}"`);
    }
    this.clearState();
    const gpu = getGpu();
    for (const [id, src] of incoming) {
      const p = shapes.get(id.slice(0, id.lastIndexOf('.')))!;
      const t = keep(Tensor.empty(p.shape));
      if (t.size > 0) gpu.copy(src.buffer, 0, t.buffer, 0, t.size * 4);
      this.state.set(id, t);
    }
    for (const [name, n] of Object.entries(s.paramSteps)) this.paramSteps.set(name, n);
    this.stepCount = s.step;
    const { kind: _kind, ...hyper } = s.hyper;
    this.setHyper(hyper);
  }

  private clearState(): void {
    for (const t of this.state.values()) t.dispose();
    this.state.clear();
    this.paramSteps.clear();
  }

  /** Free all optimizer state. */
  dispose(): void {
    this.clearState();
  }
}

/** Read a numeric hyper-parameter from a state dict, with a clear error when it is missing. */
export function num(h: Hyper, key: string, kind: string): number {
  const v = h[key];
  if (typeof v !== 'number') throw new Error(`${kind}.loadStateDict: hyper-parameter "${key}" is missing`);
  return v;
}
