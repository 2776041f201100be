// SeeABLE's fused losses against float64 references, with numerical gradient checks.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { bcrLoss, guidanceLoss, guidanceTable } from '../../src/seeable/losses.ts';
import { gridScheme } from '../../src/seeable/locations.ts';
import { makePrototypes } from '../../src/seeable/prototypes.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

const dot = (a: Float64Array, i: number, b: Float64Array, j: number, D: number) => {
  let s = 0;
  for (let d = 0; d < D; d++) s += a[i * D + d] * b[j * D + d];
  return s;
};
const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/** Spec §S form, mean over anchors. */
function refBcrSpec(z: Nd, y: number[], P: Float64Array, K: number, tau: number): number {
  const [N, D] = z.shape;
  let total = 0;
  for (let i = 0; i < N; i++) {
    const others = [...Array(N).keys()].filter((a) => a !== i);
    const logits = others.map((a) => dot(z.data, i, z.data, a, D) / tau);
    const l = lse(logits);
    const pos = others.filter((a) => y[a] === y[i]);
    if (pos.length) total += pos.reduce((s, a) => s + (l - dot(z.data, i, z.data, a, D) / tau), 0) / pos.length;
    const pl = [...Array(K).keys()].map((j) => dot(z.data, i, P, j, D) / tau);
    total += (lse(pl) - pl[y[i]]) / Math.max(pos.length, 1);
  }
  return total / N;
}

/** Official code form (§5.1), mean over anchors. */
function refBcrCode(z: Nd, y: number[], P: Float64Array, tau: number): number {
  const [N, D] = z.shape;
  let total = 0;
  for (let i = 0; i < N; i++) {
    const row = [...Array(N).keys()].map((a) => (a === i ? dot(z.data, i, P, y[i], D) : dot(z.data, i, z.data, a, D)) / tau);
    const l = lse(row);
    const pos = [...Array(N).keys()].filter((a) => y[a] === y[i]);
    total += pos.reduce((s, a) => s + (l - row[a]), 0) / pos.length;
  }
  return total / N;
}

function refGuidance(z: Nd, y: number[], P: Float64Array, K: number, G: Float32Array): number {
  const [N, D] = z.shape;
  let total = 0;
  for (let i = 0; i < N; i++) {
    let best = 0;
    for (let j = 1; j < K; j++) if (dot(z.data, i, P, j, D) > dot(z.data, i, P, best, D)) best = j;
    total += G[best * K + y[i]] * (1 - dot(z.data, i, P, y[i], D));
  }
  return total / N;
}

function labels(rng: Rng, B: number, K: number, views = 2): number[] {
  const base = Array.from({ length: B }, () => rng.int(K));
  return Array.from({ length: B * views }, (_, i) => base[i % B]);
}

describe('SeeABLE losses vs float64', () => {
  const K = 8;
  const D = 13;
  const P = makePrototypes(K, D, 5);
  for (const [form, ref] of [['spec', refBcrSpec], ['code', refBcrCode]] as const) {
    for (const [B, tau] of [[5, 0.07], [11, 0.5]] as const) {
      it(`bcrLoss (${form} form), ${B}×2 views, τ = ${tau}`, async () => {
        const y = labels(new Rng(B), B, K);
        y[0] = (y[0] + 1) % K; // one anchor whose label may have no partner
        await checkOp(`bcr-${form}-${B}-${tau}`, {
          inputs: [{ shape: [2 * B, D], dist: 'uniform' }, { shape: [2 * B], values: y, dtype: 'i32', noGrad: true }, { shape: [K, D], values: P, noGrad: true }],
          run: (z, lab, protos) => bcrLoss(z, lab, protos, { tau, form }),
          ref: (z, _l, protos) => ({ data: Float64Array.of(form === 'spec' ? refBcrSpec(z, y, protos.data, K, tau) : refBcrCode(z, y, protos.data, tau)), shape: [] }),
          tol: { rel: 2e-5 },
          gradTol: { rel: 3e-3, abs: 1e-5 },
          maxGradChecks: 80,
        });
        void ref;
      });
    }
  }
  it('guidanceLoss with the section-S table of a 4×4 grid', async () => {
    const nTypes = 2;
    const K2 = 32;
    const P2 = makePrototypes(K2, 40, 3);
    const G = guidanceTable(gridScheme(4, 4), nTypes);
    const y = labels(new Rng(4), 9, K2);
    await checkOp('guidance', {
      inputs: [{ shape: [18, 40], dist: 'uniform' }, { shape: [18], values: y, dtype: 'i32', noGrad: true }, { shape: [K2, 40], values: P2, noGrad: true }],
      run: (z, lab, protos) => guidanceLoss(z, lab, protos, tensor(G, [K2, K2])),
      ref: (z, _l, protos) => ({ data: Float64Array.of(refGuidance(z, y, protos.data, K2, G)), shape: [] }),
      tol: { rel: 2e-5 },
      gradTol: { rel: 3e-3, abs: 1e-5 },
      maxGradChecks: 80,
    });
  });
  it('G table: 1/4 same location, 1/2 mirrored, graph distance otherwise', () => {
    const G = guidanceTable(gridScheme(4, 4), 2);
    const K2 = 32;
    const k = (r: number, c: number, t: number) => (r * 4 + c) * 2 + t;
    assert.equal(G[k(1, 1, 0) * K2 + k(1, 1, 1)], 0.25);
    assert.equal(G[k(1, 0, 0) * K2 + k(1, 3, 0)], 0.5);
    assert.equal(G[k(0, 0, 0) * K2 + k(2, 1, 1)], 3);
  });
  it('G table with the pristine class: one more row and column, 1/4 on its diagonal, 1 elsewhere', () => {
    const plain = guidanceTable(gridScheme(2, 2), 2);
    const G = guidanceTable(gridScheme(2, 2), 2, true);
    const K = 8;
    const P = 9;
    assert.equal(G.length, P * P);
    for (let y = 0; y < K; y++) for (let t = 0; t < K; t++) assert.equal(G[y * P + t], plain[y * K + t]);
    for (let k = 0; k < K; k++) assert.deepEqual([G[K * P + k], G[k * P + K]], [1, 1]);
    assert.equal(G[K * P + K], 0.25);
  });
});

describe('prototypes', () => {
  for (const [K, d] of [[32, 128], [17, 16], [64, 128], [3, 2]]) {
    it(`K = ${K} in d = ${d}: unit norm, pairwise cosine −1/(K−1), zero sum; seeded`, () => {
      const P = makePrototypes(K, d, 7);
      for (let i = 0; i < K; i++) {
        assert.ok(Math.abs(dot(P, i, P, i, d) - 1) < 1e-12);
        for (let j = i + 1; j < K; j++) assert.ok(Math.abs(dot(P, i, P, j, d) + 1 / (K - 1)) < 1e-12);
      }
      for (let c = 0; c < d; c++) {
        let s = 0;
        for (let i = 0; i < K; i++) s += P[i * d + c];
        assert.ok(Math.abs(s) < 1e-12);
      }
      assert.deepEqual(makePrototypes(K, d, 7), P);
      assert.notDeepEqual(makePrototypes(K, d, 8), P);
    });
  }
  it('refuses K > d + 1', () => assert.throws(() => makePrototypes(10, 8, 1), /d ≥ K − 1/));
});
