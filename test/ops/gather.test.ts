// gather / oneHot vs float64 references. Forward values are copies (exact); the backward is a
// scatter-add, checked numerically, with repeated, negative and out-of-range indices.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import { gather, oneHot } from '../../src/ops/gather.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

const EXACT = { rel: 0, abs: 0 };
const GRAD = { rel: 1e-5, abs: 1e-6 };

/** out[o, k, i] = x[o, idx[k], i]; negatives count from the end; out of range gives 0. */
function refGather(x: Nd, idx: Nd, axis: number): Nd {
  const A = x.shape[axis];
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const K = idx.data.length;
  const out = new Float64Array(outer * K * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < K; k++) {
      let a = idx.data[k];
      if (a < 0) a += A;
      for (let i = 0; i < inner; i++) {
        out[(o * K + k) * inner + i] = a >= 0 && a < A ? x.data[(o * A + a) * inner + i] : 0;
      }
    }
  }
  return { data: out, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] };
}

function randomIndices(seed: number, n: number, lo: number, hi: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => lo + rng.int(hi - lo));
}

describe('gather', () => {
  const cases: { name: string; shape: number[]; axis: number; idxShape: number[]; values: number[]; dtype?: 'i32' | 'u32' }[] = [
    { name: 'rows, repeated', shape: [7, 5], axis: 0, idxShape: [9], values: [3, 0, 3, 6, 1, 3, 0, 2, 6] },
    { name: 'middle axis', shape: [3, 11, 4], axis: 1, idxShape: [6], values: [10, 2, 2, 7, 0, 10] },
    { name: 'last axis, 2-D indices', shape: [5, 13], axis: -1, idxShape: [2, 3], values: [12, 0, 5, 5, 5, 1] },
    { name: 'negative i32 and out-of-range indices', shape: [6, 3], axis: 0, idxShape: [5], values: [-1, 2, 9, -6, -7] },
    { name: 'u32 indices', shape: [4, 9], axis: 1, idxShape: [4], values: [8, 0, 8, 3], dtype: 'u32' },
    // A > 256: the scan spreads buckets over the whole workgroup; most buckets stay empty.
    { name: 'many buckets', shape: [1000, 3], axis: 0, idxShape: [37], values: randomIndices(1, 37, 0, 1000) },
    // K ≫ A: long buckets, sorted per bucket.
    { name: 'heavy repeats', shape: [2, 7, 3], axis: 1, idxShape: [1001], values: randomIndices(2, 1001, 0, 7) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const axis = c.axis < 0 ? c.axis + c.shape.length : c.axis;
      await checkOp(`gather-${c.name}`, {
        inputs: [{ shape: c.shape }, { shape: c.idxShape, values: c.values, dtype: c.dtype ?? 'i32', noGrad: true }],
        run: (x, idx) => gather(x, idx, c.axis),
        ref: (x, idx) => refGather(x, idx, axis),
        tol: EXACT, gradTol: GRAD,
      });
    });
  }
  it('takes a plain index list; gathers i32 data', async () => {
    await checkOp('gather-list', {
      inputs: [{ shape: [5, 3] }],
      run: (x) => gather(x, [4, 4, 0]),
      ref: (x) => refGather(x, { data: Float64Array.from([4, 4, 0]), shape: [3] }, 0),
      tol: EXACT, gradTol: GRAD,
    });
    const data = Array.from({ length: 12 }, (_, i) => (i * 40503 - 7) | 0);
    await checkOp('gather-i32-data', {
      inputs: [{ shape: [4, 3], values: data, dtype: 'i32' }, { shape: [2], values: [2, 0], dtype: 'i32', noGrad: true }],
      run: (x, idx) => gather(x, idx, 0),
      ref: (x, idx) => refGather(x, idx, 0),
      tol: EXACT, noGrad: true,
    });
  });
  it('the backward is deterministic with heavy repeats (bitwise equal over runs)', async () => {
    const idx = randomIndices(3, 3001, 0, 5);
    const rng = new Rng(4);
    const r = Array.from({ length: 3001 * 17 }, () => rng.normal());
    const grads: Float32Array[] = [];
    for (let run = 0; run < 2; run++) {
      const x = requireGrad(tensor(Array.from({ length: 5 * 17 }, (_, i) => Math.sin(i)), [5, 17]));
      const loss = sum(mul(gather(x, idx), tensor(r, [3001, 17])));
      loss.backward();
      grads.push((await x.grad!.read()) as Float32Array);
      loss.dispose();
      x.grad!.dispose();
      x.dispose();
    }
    assert.deepEqual(grads[0], grads[1]);
  });
  it('rejects f32 indices and bad axes', () => {
    const x = tensor([1, 2, 3, 4], [2, 2]);
    const f = tensor([0, 1], [2]);
    assert.throws(() => gather(x, f), /i32 or u32/);
    assert.throws(() => gather(x, [0], 2), /axis/);
    f.dispose();
    x.dispose();
  });
});

describe('oneHot', () => {
  it('labels → rows of 0/1 (out-of-range rows are zero, negatives from the end)', async () => {
    const labels = [0, 4, 2, 2, 6, -1, 3];
    await checkOp('oneHot', {
      inputs: [{ shape: [7], values: labels, dtype: 'i32', noGrad: true }],
      run: (l) => oneHot(l, 5),
      ref: (l) => {
        const out = new Float64Array(7 * 5);
        l.data.forEach((v, r) => {
          const c = v < 0 ? v + 5 : v;
          if (c >= 0 && c < 5) out[r * 5 + c] = 1;
        });
        return { data: out, shape: [7, 5] };
      },
      tol: EXACT, noGrad: true,
    });
  });
  it('keeps the labels’ shape and takes a plain list', async () => {
    const t = tensor([1, 0, 2, 1, 2, 0], [2, 3], 'u32');
    const h = oneHot(t, 3);
    assert.deepEqual([...h.shape], [2, 3, 3]);
    assert.deepEqual([...(await h.read())], [0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
    const l = oneHot([2, 1], 4);
    assert.deepEqual([...(await l.read())], [0, 0, 1, 0, 0, 1, 0, 0]);
    [t, h, l].forEach((x) => x.dispose());
  });
});
