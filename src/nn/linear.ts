// Linear: y = x · Wᵀ + b with W shaped [out, in] as in PyTorch, so weights load by name and shape.
// Init as torch.nn.Linear (kaiming_uniform_ with a = √5): W, b ~ U(−1/√in, 1/√in), from a seeded Rng.
import { add } from '../ops/elementwise.ts';
import { matmul } from '../ops/matmul.ts';
import { tensor } from '../tensor/create.ts';
import { globalRng, type Rng } from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Module, type Layer } from './module.ts';

export interface LinearOptions {
  bias?: boolean;
  rng?: Rng;
}

/** Host values drawn from U(−bound, bound). */
export function uniformInit(shape: number[], bound: number, rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(-bound, bound);
  return tensor(data, shape);
}

/** y = x · Wᵀ + b for x [..., in], W [out, in], b [out] (or no bias). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const y = matmul(x, weight, { transB: true });
  if (!bias) return y;
  const out = add(y, bias);
  y.dispose(); // the graph keeps what backward needs
  return out;
}

export class Linear extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    if (!(inFeatures > 0 && outFeatures > 0)) throw new Error(`Linear(${inFeatures}, ${outFeatures}): sizes must be positive`);
    const rng = opts.rng ?? globalRng;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter('weight', uniformInit([outFeatures, inFeatures], bound, rng));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', uniformInit([outFeatures], bound, rng));
  }

  /** x: [..., in] → [..., out]. */
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures}, ${this.outFeatures}): input [${x.shape.join(', ')}] has the wrong last dim`);
    }
    return linear(x, this.weight, this.bias);
  }
}
