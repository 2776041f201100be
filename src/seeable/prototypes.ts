// Fixed class prototypes (method spec §4): K points on the unit hypersphere of R^d with every
// pairwise cosine −1/(K−1) (a regular simplex), rotated by a seeded random orthogonal matrix.
// Computed once in float64 on the host, stored in every checkpoint, never trained.
import { Rng } from '../tensor/random.ts';

/** Rows of (I − 11ᵀ/K), normalised: a regular simplex in R^K (it spans 1^⊥, dimension K − 1). */
function simplex(K: number): Float64Array[] {
  return Array.from({ length: K }, (_, i) => {
    const row = new Float64Array(K).fill(-1 / K);
    row[i] += 1;
    const n = Math.hypot(...row);
    return row.map((v) => v / n);
  });
}

/** Helmert basis of 1^⊥ in R^K: K − 1 orthonormal rows orthogonal to the all-ones vector. */
function helmert(K: number): Float64Array[] {
  return Array.from({ length: K - 1 }, (_, r) => {
    const k = r + 1;
    const row = new Float64Array(K);
    const s = 1 / Math.sqrt(k * (k + 1));
    for (let i = 0; i < k; i++) row[i] = s;
    row[k] = -k * s;
    return row;
  });
}

/** A d×d orthogonal matrix: modified Gram–Schmidt QR of a seeded Gaussian matrix, columns' signs
 *  fixed by sign(diag R) (so the result is Haar-distributed). Returned as rows of Q. */
export function randomOrthogonal(d: number, rng: Rng): Float64Array[] {
  const cols = Array.from({ length: d }, () => Float64Array.from({ length: d }, () => rng.normal()));
  const q: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const v = Float64Array.from(cols[j]);
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += u[i] * v[i];
        for (let i = 0; i < d; i++) v[i] -= dot * u[i];
      }
    }
    let n = 0;
    for (let i = 0; i < d; i++) n += v[i] * v[i];
    n = Math.sqrt(n);
    // r_jj = <q_j, a_j> > 0 by construction of Gram–Schmidt, which is the sign fix.
    q.push(v.map((x) => x / n));
  }
  // q holds the columns of Q; return rows.
  return Array.from({ length: d }, (_, i) => Float64Array.from({ length: d }, (_, j) => q[j][i]));
}

/** K prototypes in R^d (K ≤ d + 1), row-major [K, d], as float64. */
export function makePrototypes(K: number, d: number, seed: number): Float64Array {
  if (!(K >= 2 && Number.isInteger(K))) throw new Error(`prototypes: K = ${K} must be an integer ≥ 2`);
  if (K > d + 1) throw new Error(`prototypes: K = ${K} classes need an embedding dimension d ≥ K − 1 (d = ${d})`);
  let rows: Float64Array[];
  if (d >= K) {
    rows = simplex(K).map((r) => {
      const p = new Float64Array(d);
      p.set(r);
      return p;
    });
  } else {
    // d = K − 1: coordinates of the simplex in an orthonormal basis of 1^⊥.
    const basis = helmert(K);
    rows = simplex(K).map((r) => Float64Array.from(basis, (b) => b.reduce((s, v, i) => s + v * r[i], 0)));
  }
  const Q = randomOrthogonal(d, new Rng(seed));
  const out = new Float64Array(K * d);
  rows.forEach((p, k) => {
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Q[i][j] * p[j];
      out[k * d + i] = s;
    }
  });
  return out;
}
