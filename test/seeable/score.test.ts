import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePrototypes } from '../../src/seeable/prototypes.ts';
import { classAccuracy, perLocation, scoreFace } from '../../src/seeable/score.ts';
import { Rng } from '../../src/tensor/random.ts';

const K = 8;
const d = 16;
const P = makePrototypes(K, d, 1);
/** h_k = scale_k · p_{perm(k)} + noise */
function embeddings(perm: number[], scale: number[], noise = 0, rng = new Rng(2)): Float64Array {
  const h = new Float64Array(K * d);
  for (let k = 0; k < K; k++) for (let i = 0; i < d; i++) h[k * d + i] = scale[k] * P[perm[k] * d + i] + noise * rng.normal();
  return h;
}
const identity = [...Array(K).keys()];

describe('section-S anomaly score', () => {
  it('a face whose discrepancies land on their prototypes scores −mean ‖h‖^α', () => {
    const h = embeddings(identity, [1, 2, 3, 4, 1, 2, 3, 4]);
    assert.ok(Math.abs(scoreFace(h, P, K, { alpha: 1 }).score + 2.5) < 1e-9);
    assert.ok(Math.abs(scoreFace(h, P, K, { alpha: 0 }).score + 1) < 1e-9);
  });
  it('misplaced discrepancies score higher (more fake) than well-placed ones', () => {
    const good = embeddings(identity, new Array(K).fill(1), 0.05);
    const bad = embeddings([1, 2, 3, 4, 5, 6, 7, 0], new Array(K).fill(1), 0.05);
    for (const variant of ['norm-cos', 'max-cos', 'hit-rate'] as const) {
      assert.ok(scoreFace(bad, P, K, { variant }).score > scoreFace(good, P, K, { variant }).score, variant);
    }
    assert.equal(scoreFace(good, P, K, { variant: 'hit-rate' }).score, -1);
    assert.equal(scoreFace(bad, P, K, { variant: 'hit-rate' }).score, -0);
  });
  it('per-location breakdown averages the types', () => {
    assert.deepEqual(perLocation([1, 3, 5, 7], 2), [2, 6]);
  });
  it('rejects embeddings of the wrong size', () => {
    assert.throws(() => scoreFace(new Float64Array(5), P, K), /not K = 8 embeddings/);
  });
});

describe('held-out class accuracy', () => {
  it('counts nearest-prototype hits, and separately the location and type parts', () => {
    // classes k = loc·2 + type (4 locations × 2 types); rows land on perm(k)
    const perm = [0, 1, 3, 2, 6, 4, 5, 7]; // a mix of hits, right-location-wrong-type and misses
    const h = embeddings(perm, [2, 1, 3, 1, 1, 0.5, 1, 1], 0.01);
    const a = classAccuracy(h, identity, P, K, 2);
    const want = { class: 0, location: 0, type: 0 };
    for (let k = 0; k < K; k++) {
      want.class += Number(perm[k] === k);
      want.location += Number(Math.floor(perm[k] / 2) === Math.floor(k / 2));
      want.type += Number(perm[k] % 2 === k % 2);
    }
    assert.deepEqual(a, { class: want.class / K, location: want.location / K, type: want.type / K, n: K });
    assert.deepEqual([want.class, want.location, want.type], [3, 6, 4]); // the fixture mixes all cases
  });
  it('rejects a label count that does not match the embeddings', () => {
    assert.throws(() => classAccuracy(new Float64Array(3 * d), [0, 1], P, K, 2), /not 2 embeddings/);
  });
});
