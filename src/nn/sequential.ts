// Sequential chains layers; Activation wraps a parameter-free unary op as a layer so that
// child indices match PyTorch's nn.Sequential ('layers.0.weight', 'layers.2.weight').
import { relu, sigmoid, silu, tanh } from '../ops/unary.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Module, type Layer } from './module.ts';

export class Sequential extends Module implements Layer {
  readonly layers: Layer[];

  constructor(...layers: Layer[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.registerModule(String(i), l));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) {
      const next = l.forward(h);
      if (h !== x && h !== next) h.dispose(); // intermediates: the graph keeps what backward needs
      h = next;
    }
    return h;
  }
}

const ACTIVATIONS = { relu, tanh, sigmoid, silu } as const;
export type ActivationName = keyof typeof ACTIVATIONS;

export class Activation extends Module implements Layer {
  private readonly fn: (x: Tensor) => Tensor;
  constructor(readonly name: ActivationName) {
    super();
    this.fn = ACTIVATIONS[name];
    if (!this.fn) throw new Error(`Unknown activation "${name}"`);
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}
