// Learning-rate schedules as pure functions of the step (0-based): lr = schedule(step).
// Set `optimizer.lr = schedule(step)` before each step; a resumed run gets the same LR for free.

export type Schedule = (step: number) => number;

export function constant(lr: number): Schedule {
  return () => lr;
}

export interface LinearDecayOptions {
  lr: number;
  totalSteps: number;
  /** Steps at the full LR before the linear decay starts (SBI/SeeABLE: 3/4 of training). */
  constantSteps: number;
}

/** Constant for `constantSteps`, then linear to 0 at `totalSteps` (and 0 after):
 *  lr(s) = lr · min(1, (total − s) / (total − constantSteps)), clamped at 0. */
export function constantThenLinearDecay(o: LinearDecayOptions): Schedule {
  if (!(o.totalSteps > 0) || !(o.constantSteps >= 0) || o.constantSteps > o.totalSteps) {
    throw new Error(`constantThenLinearDecay: need 0 ≤ constantSteps (${o.constantSteps}) ≤ totalSteps (${o.totalSteps})`);
  }
  const decay = o.totalSteps - o.constantSteps;
  return (step) => {
    if (step < o.constantSteps) return o.lr;
    if (decay === 0 || step >= o.totalSteps) return 0;
    return (o.lr * (o.totalSteps - step)) / decay;
  };
}

export interface CosineOptions {
  lr: number;
  totalSteps: number;
  /** Linear warm-up over these steps: lr · (s + 1) / warmupSteps, so the first step is not 0. */
  warmupSteps?: number;
  /** The floor the cosine decays to (default 0). */
  minLr?: number;
}

/** Optional linear warm-up, then half a cosine from lr to minLr at totalSteps (minLr after):
 *  lr(s) = minLr + (lr − minLr) · (1 + cos(π · t)) / 2, t = (s − warmup) / (total − warmup). */
export function cosine(o: CosineOptions): Schedule {
  const warmup = o.warmupSteps ?? 0;
  const minLr = o.minLr ?? 0;
  if (!(o.totalSteps > 0) || !(warmup >= 0) || warmup > o.totalSteps) {
    throw new Error(`cosine: need 0 ≤ warmupSteps (${warmup}) ≤ totalSteps (${o.totalSteps})`);
  }
  const span = o.totalSteps - warmup;
  return (step) => {
    if (step < warmup) return (o.lr * (step + 1)) / warmup;
    const t = span === 0 ? 1 : Math.min(1, (step - warmup) / span);
    return minLr + ((o.lr - minLr) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}
