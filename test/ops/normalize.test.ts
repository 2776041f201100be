// l2Normalize vs a float64 F.normalize reference on both kernel paths: odd row lengths, axes that
// are not last, rows below eps (zero rows included), large magnitudes.
// Tolerances: forward rel 1e-5 of the output's scale; gradients rel 5e-5 against central differences.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { l2Normalize } from '../../src/ops/normalize.ts';
import type { RowPath } from '../../src/ops/rows.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

const TOL = { rel: 1e-5 };
const GRAD = { rel: 5e-5, abs: 1e-6 };

/** x / max(‖x‖, eps) along `axis`, in float64. */
function refNormalize(x: Nd, axis: number, eps: number): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const L = x.shape[a];
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * L + j) * inner + i;
      let ss = 0;
      for (let j = 0; j < L; j++) ss += x.data[at(j)] ** 2;
      const d = Math.max(Math.sqrt(ss), eps);
      for (let j = 0; j < L; j++) out[at(j)] = x.data[at(j)] / d;
    }
  }
  return { data: out, shape: [...x.shape] };
}

function values(seed: number, n: number, scale: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Math.fround(rng.normal(0, scale)));
}

describe('l2Normalize vs float64', () => {
  for (const path of ['rows', 'workgroup'] as RowPath[]) {
    for (const shape of [[5, 1], [7, 3], [11, 37], [300, 7], [4, 128], [3, 1000], [2, 4097]]) {
      it(`${path} [${shape}]`, async () => {
        await checkOp(`l2-${path}-${shape}`, {
          inputs: [{ shape }],
          run: (x) => l2Normalize(x, -1, 1e-12, { path }),
          ref: (x) => refNormalize(x, -1, 1e-12),
          tol: TOL, gradTol: GRAD, maxGradChecks: 150,
        });
      });
    }
    it(`${path} along the first and a middle axis`, async () => {
      await checkOp(`l2-${path}-first`, {
        inputs: [{ shape: [9, 2, 7] }],
        run: (x) => l2Normalize(x, 0, 1e-12, { path }),
        ref: (x) => refNormalize(x, 0, 1e-12),
        tol: TOL, gradTol: GRAD,
      });
      await checkOp(`l2-${path}-mid`, {
        inputs: [{ shape: [3, 37, 5] }],
        run: (x) => l2Normalize(x, -2, 1e-12, { path }),
        ref: (x) => refNormalize(x, 1, 1e-12),
        tol: TOL, gradTol: GRAD,
      });
    });
    it(`${path}: rows under eps (one all zeros) divide by eps, and their gradient is g/eps`, async () => {
      // Row 0 tiny (‖x‖ ≈ 3e-4 < eps = 1e-2), row 1 zeros, row 2 ordinary, row 3 at 1e3.
      const data = [...values(1, 9, 1e-4), ...new Array(9).fill(0), ...values(2, 9, 1), ...values(3, 9, 1e3)];
      await checkOp(`l2-${path}-eps`, {
        inputs: [{ shape: [4, 9], values: data }],
        run: (x) => l2Normalize(x, 1, 1e-2, { path }),
        ref: (x) => refNormalize(x, 1, 1e-2),
        tol: TOL, gradTol: GRAD,
      });
    });
  }
  it('outputs have unit norm; bad arguments throw', async () => {
    const rng = new Rng(5);
    const x = tensor(Array.from({ length: 6 * 33 }, () => rng.normal(0, 30)), [6, 33]);
    const yt = l2Normalize(x);
    const y = await yt.read();
    yt.dispose();
    for (let r = 0; r < 6; r++) {
      let ss = 0;
      for (let j = 0; j < 33; j++) ss += y[r * 33 + j] ** 2;
      assert.ok(Math.abs(Math.sqrt(ss) - 1) < 1e-6, `row ${r} has norm ${Math.sqrt(ss)}`);
    }
    assert.throws(() => l2Normalize(x, 2), /axis/);
    assert.throws(() => l2Normalize(x, -1, 0), /eps/);
    x.dispose();
  });
});
