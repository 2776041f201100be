import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { dropConnect, dropout, dropThreshold } from '../../src/ops/dropout.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { ones, tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import { checkOp, draw, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

/** The kernel's PRNG written again on the host (lowbias32 twice, keyed). */
function mix(v: number): number {
  let h = v >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
function keepMask(n: number, perSample: number, seed: number, p: number): Uint8Array {
  const rng = new Rng(seed);
  const k0 = rng.nextU32();
  const k1 = rng.nextU32();
  const t = dropThreshold(p);
  return Uint8Array.from({ length: n }, (_, i) => {
    const k = Math.floor(i / perSample);
    return (mix(((mix((k + k0) >>> 0) ^ k1) >>> 0)) >= t ? 1 : 0);
  });
}
const refMasked = (x: Nd, mask: Uint8Array, p: number): Nd => ({
  data: x.data.map((v, i) => (mask[i] ? v * Math.fround(1 / (1 - p)) : 0)),
  shape: x.shape,
});

describe('dropout and drop-connect', () => {
  it('dropout equals the host-side replay of its hash mask; gradient through the same mask', async () => {
    const shape = [3, 7, 11, 5];
    const n = 3 * 7 * 11 * 5;
    for (const p of [0.2, 0.5]) {
      await checkOp(`dropout-${p}`, {
        inputs: [{ shape }],
        run: (x) => dropout(x, p, { rng: new Rng(42) }),
        ref: (x) => refMasked(x, keepMask(n, 1, 42, p), p),
        tol: { rel: 1e-6 },
      });
    }
  });

  it('drop-connect keeps or drops whole samples, matching the host replay', async () => {
    const shape = [37, 3, 4, 5];
    await checkOp('dropconnect', {
      inputs: [{ shape }],
      run: (x) => dropConnect(x, 0.3, { rng: new Rng(5) }),
      ref: (x) => refMasked(x, keepMask(37 * 60, 60, 5, 0.3), 0.3),
      tol: { rel: 1e-6 },
    });
  });

  it('keep rate within 5σ of 1 − p on 2²⁰ elements; neighbours and two seeds independent', async () => {
    const n = 1 << 20;
    const x = ones([n]);
    for (const p of [0.1, 0.5, 0.8]) {
      const a = await dropout(x, p, { rng: new Rng(1) }).read();
      const b = await dropout(x, p, { rng: new Rng(2) }).read();
      const scale = Math.fround(1 / (1 - p));
      let kept = 0;
      let pairs = 0;
      let both = 0;
      for (let i = 0; i < n; i++) {
        assert.ok(a[i] === 0 || a[i] === scale, `element ${i} is ${a[i]}, neither 0 nor ${scale}`);
        kept += a[i] ? 1 : 0;
        if (i + 1 < n && a[i] && a[i + 1]) pairs++;
        if (a[i] && b[i]) both++;
      }
      const q = 1 - p;
      const within = (count: number, prob: number, trials: number, what: string) => {
        const sigma = Math.sqrt(trials * prob * (1 - prob));
        assert.ok(Math.abs(count - trials * prob) < 5 * sigma, `${what}: ${count} of ${trials}, expected ${(trials * prob).toFixed(0)} ± ${(5 * sigma).toFixed(0)}`);
      };
      within(kept, q, n, `p=${p} keep count`);
      within(pairs, q * q, n - 1, `p=${p} adjacent kept pairs`);
      within(both, q * q, n, `p=${p} kept under both seeds`);
    }
  });

  it('drop-connect sample keep rate within 5σ', async () => {
    const N = 20000;
    const y = await dropConnect(ones([N, 2, 3]), 0.25, { rng: new Rng(3) }).read();
    let kept = 0;
    for (let s = 0; s < N; s++) {
      const v = y[s * 6];
      for (let j = 1; j < 6; j++) assert.equal(y[s * 6 + j], v, `sample ${s} is not uniform`);
      kept += v ? 1 : 0;
    }
    const sigma = Math.sqrt(N * 0.75 * 0.25);
    assert.ok(Math.abs(kept - 0.75 * N) < 5 * sigma, `kept ${kept} of ${N}`);
  });

  it('the backward reuses the forward mask exactly (zeros where the output was dropped)', async () => {
    const n = 5003;
    const rng = new Rng(11);
    const x = requireGrad(tensor(draw(rng, n, 'away0'), [n]));
    const r = draw(rng, n, 'away0');
    const y = dropout(x, 0.4, { rng: new Rng(99) });
    sum(mul(y, tensor(r, [n]))).backward();
    const yv = await y.read();
    const gv = await x.grad!.read();
    const scale = Math.fround(1 / 0.6);
    for (let i = 0; i < n; i++) {
      const expect = yv[i] === 0 ? 0 : Math.fround(r[i] * scale);
      assert.equal(gv[i], expect, `element ${i}: grad ${gv[i]}, y ${yv[i]}`);
    }
  });

  it('same seed → same output; another seed → another mask', async () => {
    const x = tensor(draw(new Rng(4), 999, 'away0'), [999]);
    const a = await dropout(x, 0.5, { rng: new Rng(8) }).read();
    const b = await dropout(x, 0.5, { rng: new Rng(8) }).read();
    const c = await dropout(x, 0.5, { rng: new Rng(9) }).read();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('eval mode and p = 0 are the identity (gradient passes); p = 1 zeros everything', async () => {
    await checkOp('dropout-eval', {
      inputs: [{ shape: [7, 9] }],
      run: (x) => dropout(x, 0.5, { training: false }),
      ref: (x) => x,
      tol: { rel: 0 },
    });
    await checkOp('dropconnect-p0', {
      inputs: [{ shape: [7, 9] }],
      run: (x) => dropConnect(x, 0),
      ref: (x) => x,
      tol: { rel: 0 },
    });
    const z = await dropout(tensor(draw(new Rng(1), 50, 'away0'), [50]), 1).read();
    assert.ok(z.every((v) => v === 0));
    assert.throws(() => dropout(ones([3]), 1.5), /p must be in \[0, 1\]/);
  });
});
