// Module: the PyTorch-like container of parameters, buffers and child modules. Names are dotted
// paths ('layers.0.weight') so that checkpoints and timm/torchvision name maps line up.
// Parameters and buffers outlive every tidy() scope (keep()); parameters require grad.
import { keep } from '../tensor/scope.ts';
import { requireGrad } from '../tensor/tape.ts';
import type { Tensor } from '../tensor/tensor.ts';

export abstract class Module {
  /** Training mode (dropout on, batch-norm batch statistics); eval() turns it off. */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Adopt `t` as a trainable parameter named `name` (kept out of scopes, requires grad). */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkName(name, this.ownParams);
    this.ownParams.set(name, requireGrad(keep(t)));
    return t;
  }

  /** A non-trainable tensor that belongs to the state (e.g. batch-norm running statistics).
   *  Registering a name again replaces (and disposes) the previous tensor. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    const prev = this.ownBuffers.get(name);
    if (!prev) this.checkName(name, this.ownBuffers);
    else if (prev !== t) prev.dispose();
    this.ownBuffers.set(name, keep(t));
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name, this.children);
    this.children.set(name, m);
    m.train(this.training);
    return m;
  }

  private checkName(name: string, own: Map<string, unknown>): void {
    if (!name || name.includes('.')) throw new Error(`${this.constructor.name}: invalid member name "${name}"`);
    if (this.ownParams.has(name) || this.ownBuffers.has(name) || this.children.has(name) || own.has(name)) {
      throw new Error(`${this.constructor.name}: "${name}" is already registered`);
    }
  }

  /** Direct children, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** This module and every descendant, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.children) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  namedParameters(): [string, Tensor][] {
    return this.collect((m) => m.ownParams);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    return this.collect((m) => m.ownBuffers);
  }

  /** Parameters then buffers: everything a checkpoint of the model holds. */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  private collect(pick: (m: Module) => Map<string, Tensor>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [n, t] of pick(m)) out.push([path ? `${path}.${n}` : n, t]);
    }
    return out;
  }

  /** Set training mode here and in every descendant. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drop every parameter's gradient (disposing it), as PyTorch's zero_grad(set_to_none=True). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Free every parameter, gradient and buffer of this module tree. */
  dispose(): void {
    this.zeroGrad();
    for (const [, m] of this.namedModules()) {
      for (const t of m.ownParams.values()) t.dispose();
      for (const t of m.ownBuffers.values()) t.dispose();
      m.ownParams.clear();
      m.ownBuffers.clear();
    }
  }
}

/** A module that maps one tensor to one tensor (what Sequential chains). */
export interface Layer extends Module {
  forward(x: Tensor): Tensor;
}
