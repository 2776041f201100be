// The SeeABLE network: an encoder (EfficientNet, pooled features) and a projector MLP to a
// d-dimensional embedding (spec §6 [OURS]: Linear(F, F) → ReLU → Linear(F, d)). forward() returns
// the un-normalised projection h (the score uses its norm) and z = h/‖h‖ (the losses use z).
import { Linear } from '../nn/linear.ts';
import { Module } from '../nn/module.ts';
import { l2Normalize } from '../ops/normalize.ts';
import { relu } from '../ops/unary.ts';
import type { Rng } from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** What SeeABLE needs of an encoder: images [N, 3, H, W] → pooled features [N, F]. */
export interface Encoder extends Module {
  forward(x: Tensor): Tensor;
}

export class Projector extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(inFeatures: number, hidden: number, dim: number, rng: Rng) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(inFeatures, hidden, { rng }));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, dim, { rng }));
  }
  forward(f: Tensor): Tensor {
    const a = this.fc1.forward(f);
    const r = relu(a);
    a.dispose();
    const h = this.fc2.forward(r);
    r.dispose();
    return h;
  }
}

export interface Embedding {
  /** un-normalised projection [N, d] */
  h: Tensor;
  /** L2-normalised projection [N, d] */
  z: Tensor;
}

export class SeeableNet extends Module {
  readonly encoder: Encoder;
  readonly projector: Projector;
  constructor(encoder: Encoder, features: number, opts: { dim: number; hidden?: number; rng: Rng }) {
    super();
    this.encoder = this.registerModule('encoder', encoder);
    this.projector = this.registerModule('projector', new Projector(features, opts.hidden || features, opts.dim, opts.rng));
  }
  embed(x: Tensor): Embedding {
    const f = this.encoder.forward(x);
    const h = this.projector.forward(f);
    f.dispose();
    return { h, z: l2Normalize(h, -1) };
  }
}
