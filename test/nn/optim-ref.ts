// Float64 CPU references of PyTorch's torch.optim algorithms (SGD, Adam, AdamW) and of SAM
// (davda54/sam), written from the published pseudo-code, to check the WGSL kernels against.

export interface SgdHyper { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }

export class RefSgd {
  buf: Float64Array | null = null;
  constructor(readonly h: SgdHyper) {}
  step(p: Float64Array, g: ArrayLike<number>): void {
    const { lr, momentum, dampening, weightDecay: wd, nesterov } = this.h;
    const first = this.buf === null;
    if (momentum !== 0 && first) this.buf = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      let d = g[i] + wd * p[i];
      if (momentum !== 0) {
        const b = first ? d : momentum * this.buf![i] + (1 - dampening) * d;
        this.buf![i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      p[i] -= lr * d;
    }
  }
}

export interface AdamHyper { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }

export class RefAdam {
  m: Float64Array;
  v: Float64Array;
  t = 0;
  constructor(readonly h: AdamHyper, n: number) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  step(p: Float64Array, g: ArrayLike<number>): void {
    const { lr, beta1, beta2, eps, weightDecay: wd, decoupled } = this.h;
    this.t++;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    for (let i = 0; i < p.length; i++) {
      let d = g[i];
      if (decoupled) p[i] *= 1 - lr * wd;
      else d += wd * p[i];
      this.m[i] = beta1 * this.m[i] + (1 - beta1) * d;
      this.v[i] = beta2 * this.v[i] + (1 - beta2) * d * d;
      const denom = Math.sqrt(this.v[i]) / Math.sqrt(bc2) + eps;
      p[i] -= (lr / bc1) * (this.m[i] / denom);
    }
  }
}

/** SAM's perturbation of a list of parameters given their gradients: returns w + e_w. */
export function refSamPerturb(ws: Float64Array[], gs: Float64Array[], rho: number, adaptive: boolean): Float64Array[] {
  let sq = 0;
  ws.forEach((w, k) => w.forEach((wi, i) => (sq += ((adaptive ? Math.abs(wi) : 1) * gs[k][i]) ** 2)));
  const scale = rho / (Math.sqrt(sq) + 1e-12);
  return ws.map((w, k) => w.map((wi, i) => wi + (adaptive ? wi * wi : 1) * gs[k][i] * scale));
}
