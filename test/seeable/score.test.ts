import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePrototypes } from '../../src/seeable/prototypes.ts';
import { classAccuracy, perLocation, pristineMargin, scoreFace } from '../../src/seeable/score.ts';
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

describe('pristine class (spec §8.3 mode (b))', () => {
  const PP = makePrototypes(K + 1, d, 3); // row K = pristine
  const near = (j: number, scale = 1, noise = 0.02, rng = new Rng(7)) => Float64Array.from({ length: d }, (_, i) => scale * PP[j * d + i] + noise * rng.normal());
  const cosTo = (h: Float64Array, j: number) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < d; i++) (s += h[i] * PP[j * d + i]), (n += h[i] * h[i]);
    return s / Math.sqrt(n);
  };
  it('pristine margin = max_k cos(h, p_k) − cos(h, p_pristine), whatever the norm of h', () => {
    const h = near(3, 4, 0.3);
    const want = Math.max(...Array.from({ length: K }, (_, k) => cosTo(h, k))) - cosTo(h, K);
    const got = pristineMargin(h, PP, K);
    assert.ok(Math.abs(got.score - want) < 1e-12, `${got.score} vs ${want}`);
    assert.equal(got.perClass.length, K);
    assert.equal(got.perClass.indexOf(Math.min(...got.perClass)), 3, 'the most anomalous class is the one h sits on');
    assert.ok(Math.abs(pristineMargin(h.map((v) => 10 * v), PP, K).score - want) < 1e-12);
  });
  it('an embedding at the pristine prototype scores lower (more real) than one at a discrepancy prototype', () => {
    assert.ok(pristineMargin(near(K), PP, K).score < 0);
    assert.ok(pristineMargin(near(5), PP, K).score > 0);
    assert.throws(() => pristineMargin(new Float64Array(d + 1), PP, K), /not one embedding/);
  });
  it('scoreFace with the pristine prototype present: argmax over K + 1 rows', () => {
    // every discrepancy lands on the pristine prototype: no hits although p_k is the best of the K
    const h = new Float64Array(K * d);
    for (let k = 0; k < K; k++) h.set(near(K).map((v, i) => v + 0.3 * PP[k * d + i]), k * d);
    assert.equal(scoreFace(h, PP, K, { variant: 'hit-rate', pristine: true }).score, -0);
    assert.equal(scoreFace(h, PP.subarray(0, K * d), K, { variant: 'hit-rate' }).score, -1);
    assert.throws(() => scoreFace(h, PP, K, { variant: 'pristine-margin', pristine: true }), /use pristineMargin/);
  });
  it('accuracy: real faces are class K; location and type count only altered rows; binary = pristine vs altered', () => {
    // rows: class 2 → p2 (hit), class 5 → pristine (miss, binary miss), pristine → pristine (hit), pristine → p1 (miss)
    const rows = [near(2), near(K), near(K), near(1)];
    const h = new Float64Array(4 * d);
    rows.forEach((r, i) => h.set(r, i * d));
    const a = classAccuracy(h, [2, 5, K, K], PP, K, 2, true);
    assert.deepEqual(a, { class: 2 / 4, location: 1 / 2, type: 1 / 2, n: 4, binary: 2 / 4 });
  });
});
