// softmax / logSoftmax vs float64 references, on both kernel paths (thread per row, workgroup per
// row), odd row lengths, axes that are not last, and inputs of large magnitude.
// Tolerances: forward rel 1e-5 of the output's scale (f32 exp/log and an L-term sum);
// gradients rel 5e-5 against central differences of the float64 reference.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tensor } from '../../src/tensor/create.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { Rng } from '../../src/tensor/random.ts';
import { chooseRowPath } from '../../src/ops/rows.ts';
import { logSoftmax, softmax, type SoftmaxPath } from '../../src/ops/softmax.ts';
import { assertClose, checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

const TOL = { rel: 1e-5 };
const GRAD = { rel: 5e-5, abs: 1e-6 }; // tight: a 1 % error in the Σ term of a long row must show

/** Along `axis`, in float64, the textbook way (max-subtracted). */
function refSoftmax(x: Nd, axis: number, log: boolean): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const L = x.shape[a];
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * L + j) * inner + i;
      let m = -Infinity;
      for (let j = 0; j < L; j++) m = Math.max(m, x.data[at(j)]);
      let s = 0;
      for (let j = 0; j < L; j++) s += Math.exp(x.data[at(j)] - m);
      for (let j = 0; j < L; j++) {
        const v = x.data[at(j)] - m;
        out[at(j)] = log ? v - Math.log(s) : Math.exp(v) / s;
      }
    }
  }
  return { data: out, shape: [...x.shape] };
}

/** Uniform in [-mag, mag], rounded to f32 so that the reference sees what the GPU sees. */
function wide(seed: number, n: number, mag: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.fround(rng.uniform(-mag, mag)));
}

const fns = { softmax, logSoftmax } as const;
const PATHS: SoftmaxPath[] = ['rows', 'workgroup'];

describe('softmax / logSoftmax vs float64', () => {
  for (const [name, fn] of Object.entries(fns)) {
    const log = name === 'logSoftmax';
    for (const path of PATHS) {
      // Row lengths 1, 3, 37, 1000, 4097 (none divides the 64-wide workgroups); 300 rows span 5 workgroups.
      for (const shape of [[5, 1], [7, 3], [11, 37], [300, 7], [3, 1000], [2, 4097]]) {
        it(`${name} ${path} [${shape}]`, async () => {
          await checkOp(`${name}-${path}-${shape}`, {
            inputs: [{ shape }],
            run: (x) => fn(x, -1, { path }),
            ref: (x) => refSoftmax(x, -1, log),
            tol: TOL, gradTol: GRAD, maxGradChecks: 150,
          });
        });
      }
      it(`${name} ${path} along a middle axis and the first axis`, async () => {
        await checkOp(`${name}-${path}-mid`, {
          inputs: [{ shape: [3, 37, 5] }],
          run: (x) => fn(x, 1, { path }),
          ref: (x) => refSoftmax(x, 1, log),
          tol: TOL, gradTol: GRAD,
        });
        await checkOp(`${name}-${path}-first`, {
          inputs: [{ shape: [9, 2, 7] }],
          run: (x) => fn(x, 0, { path }),
          ref: (x) => refSoftmax(x, 0, log),
          tol: TOL, gradTol: GRAD,
        });
      });
      it(`${name} ${path} stays finite on inputs of magnitude 80 and 1e4`, async () => {
        await checkOp(`${name}-${path}-80`, {
          inputs: [{ shape: [6, 129], values: wide(1, 6 * 129, 80) }],
          run: (x) => fn(x, -1, { path }),
          ref: (x) => refSoftmax(x, -1, log),
          tol: TOL, gradTol: GRAD, maxGradChecks: 200,
        });
        // All of one row at ~1e4 (exp would overflow without the max), another spread by 1e4.
        const values = [...wide(2, 41, 3).map((v) => Math.fround(v + 1e4)), ...wide(3, 41, 1e4)];
        await checkOp(`${name}-${path}-1e4`, {
          inputs: [{ shape: [2, 41], values }],
          run: (x) => fn(x, -1, { path }),
          ref: (x) => refSoftmax(x, -1, log),
          tol: TOL, noGrad: true,
        });
      });
    }
  }
  for (const path of PATHS) {
    it(`softmax ${path}: −∞ entries (masks) get probability 0 and no gradient`, async () => {
      // Row 0 starts with a masked run (the online max starts at −∞), row 1 has scattered masks,
      // and in row 2 every entry that a 64-wide workgroup's first invocations see is masked.
      const L = 130;
      const data = wide(7, 3 * L, 4);
      for (let j = 0; j < 9; j++) data[j] = -Infinity;
      for (let j = 0; j < L; j += 7) data[L + j] = -Infinity;
      for (let j = 0; j < L; j++) if (j % 64 < 5) data[2 * L + j] = -Infinity;
      const want = refSoftmax({ data: Float64Array.from(data), shape: [3, L] }, -1, false);
      const r = wide(8, 3 * L, 1);
      // Central differences cannot step from −∞, so the gradient reference is the closed form
      // gx = y ⊙ (r − Σ r⊙y) (the numeric checks above cover it on finite inputs).
      const gWant = new Float64Array(3 * L);
      for (let row = 0; row < 3; row++) {
        let dot = 0;
        for (let j = 0; j < L; j++) dot += r[row * L + j] * want.data[row * L + j];
        for (let j = 0; j < L; j++) gWant[row * L + j] = want.data[row * L + j] * (r[row * L + j] - dot);
      }
      const x = requireGrad(tensor(data, [3, L]));
      const y = softmax(x, -1, { path });
      assertClose(await y.read(), want.data, TOL, 'masked softmax forward');
      const loss = sum(mul(y, tensor(r, [3, L])));
      loss.backward();
      const g = await x.grad!.read();
      assertClose(g, gWant, { rel: 1e-5 }, 'masked softmax grad');
      for (let j = 0; j < 9; j++) assert.ok(g[j] === 0, `masked entry ${j} got gradient ${g[j]}`);
      [loss, y, x.grad!, x].forEach((t) => t.dispose());
    });
  }
  it('softmax rows sum to one; chooseRowPath picks by shape', async () => {
    const rng = new Rng(9);
    const x = tensor(Array.from({ length: 3 * 500 }, () => rng.normal(0, 5)), [3, 500]);
    const y = softmax(x);
    const v = await y.read();
    for (let r = 0; r < 3; r++) {
      let s = 0;
      for (let j = 0; j < 500; j++) s += v[r * 500 + j];
      assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} sums to ${s}`);
    }
    assert.equal(chooseRowPath(8, 4097, false), 'workgroup');
    assert.equal(chooseRowPath(8, 4097, true), 'rows');
    assert.equal(chooseRowPath(2, 100000, true), 'workgroup');
    assert.equal(chooseRowPath(100000, 10, false), 'rows');
    assert.equal(chooseRowPath(8, 10, false), 'rows');
    x.dispose();
    y.dispose();
  });
  it('rejects bad axes and dtypes', () => {
    const x = tensor([1, 2, 3], [3]);
    assert.throws(() => softmax(x, 1), /axis/);
    const i = tensor([1, 2, 3], [3], 'i32');
    assert.throws(() => logSoftmax(i), /f32/);
    x.dispose();
    i.dispose();
  });
});
