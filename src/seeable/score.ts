// The anomaly score of section S: apply all K soft discrepancies to a face, embed each, and
// measure how well discrepancy k lands on its prototype p_k. A real face maps each k onto p_k;
// a fake already carries discrepancies, so the mapping degrades and the score rises.
//   'norm-cos' (default): a_k = ‖h_k‖^α · cos(h_k, p_k),   score = −mean_k a_k
//   'max-cos':            a_k = max_j cos(h_k, p_j) if argmax_j = k else −max_j cos(h_k, p_j)
//   'hit-rate':           a_k = 1[argmax_j cos(h_k, p_j) = k]
// Runs on the host on the read-back embeddings (K × d floats per face).

export type ScoreVariant = 'norm-cos' | 'max-cos' | 'hit-rate';
export const SCORE_VARIANTS: readonly ScoreVariant[] = ['norm-cos', 'max-cos', 'hit-rate'];

export interface FaceScore {
  score: number;
  /** a_k for every class k (higher = better mapped = more real-looking) */
  perClass: number[];
}

/**
 * h: the K projections of one face's K discrepancies, row k = class k, [K·d];
 * prototypes [K·d] (unit rows).
 */
export function scoreFace(h: ArrayLike<number>, prototypes: ArrayLike<number>, K: number, opts: { variant?: ScoreVariant; alpha?: number } = {}): FaceScore {
  const d = prototypes.length / K;
  if (!Number.isInteger(d) || h.length !== K * d) throw new Error(`scoreFace: ${h.length} values are not K = ${K} embeddings of d = ${d}`);
  const variant = opts.variant ?? 'norm-cos';
  const alpha = opts.alpha ?? 1;
  const perClass: number[] = [];
  for (let k = 0; k < K; k++) {
    let norm = 0;
    for (let i = 0; i < d; i++) norm += h[k * d + i] ** 2;
    norm = Math.sqrt(norm) || 1e-12;
    const cos = (j: number) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += h[k * d + i] * prototypes[j * d + i];
      return s / norm;
    };
    if (variant === 'norm-cos') {
      perClass.push(norm ** alpha * cos(k));
    } else {
      let best = 0;
      let bestCos = -Infinity;
      for (let j = 0; j < K; j++) {
        const c = cos(j);
        if (c > bestCos) (bestCos = c), (best = j);
      }
      perClass.push(variant === 'hit-rate' ? Number(best === k) : best === k ? bestCos : -bestCos);
    }
  }
  return { score: -perClass.reduce((a, b) => a + b, 0) / K, perClass };
}

/** Mean a_k per location (over the types), for the per-location breakdown and heat maps. */
export function perLocation(perClass: readonly number[], nTypes: number): number[] {
  const out: number[] = [];
  for (let l = 0; l < perClass.length / nTypes; l++) {
    let s = 0;
    for (let t = 0; t < nTypes; t++) s += perClass[l * nTypes + t];
    out.push(s / nTypes);
  }
  return out;
}

export interface ClassAccuracy {
  /** nearest prototype = the true class / its location part / its type part (fractions of n) */
  class: number;
  location: number;
  type: number;
  n: number;
}

/**
 * How often the nearest prototype of an embedding is its own class (and, separately, its location
 * and its type): the direct learning signal of the discrepancy classifier, chance 1/K, 1/N_loc, 1/N_type.
 * h: n embeddings [n·d] (normalised or not), labels: their classes.
 */
export function classAccuracy(h: ArrayLike<number>, labels: ArrayLike<number>, prototypes: ArrayLike<number>, K: number, nTypes: number): ClassAccuracy {
  const d = prototypes.length / K;
  const n = labels.length;
  if (!Number.isInteger(d) || h.length !== n * d) throw new Error(`classAccuracy: ${h.length} values are not ${n} embeddings of d = ${d}`);
  let hits = 0;
  let loc = 0;
  let type = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDot = -Infinity;
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += h[i * d + c] * prototypes[j * d + c];
      if (s > bestDot) (bestDot = s), (best = j);
    }
    const y = labels[i];
    hits += Number(best === y);
    loc += Number(Math.floor(best / nTypes) === Math.floor(y / nTypes));
    type += Number(best % nTypes === y % nTypes);
  }
  return { class: hits / n, location: loc / n, type: type / n, n };
}
