// Shape ops vs float64 references. Copies must be exact (tol 0); gradients are checked numerically.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tensor } from '../../src/tensor/create.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import {
  broadcastTo, concat, expand, flatten, permute, reshape, slice, sliceAxis, split, squeeze, stack, transpose, unsqueeze,
} from '../../src/ops/shape.ts';
import { stridedCopyConfig } from '../../src/ops/strided-copy.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import { at, strides, unravel, type Nd } from '../helpers/nd.ts';

before(setupGpu);

const EXACT = { rel: 0, abs: 0 };
const GRAD = { rel: 1e-6, abs: 1e-7 }; // these gradients are copies and sums of a few terms

function refPermute(x: Nd, perm: number[]): Nd {
  const shape = perm.map((a) => x.shape[a]);
  const n = x.data.length;
  const out = new Float64Array(n);
  const xs = strides(x.shape);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    out[i] = x.data[idx.reduce((o, c, k) => o + c * xs[perm[k]], 0)];
  }
  return { data: out, shape };
}

/** Python slicing per axis, written independently of the op (explicit index lists). */
function refSlice(x: Nd, starts: number[], ends: number[], steps: number[]): Nd {
  const picks = x.shape.map((dim, k) => {
    const norm = (v: number) => Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
    const s = norm(starts[k] ?? 0);
    const e = norm(ends[k] ?? dim);
    const out: number[] = [];
    for (let i = s; i < e; i += steps[k] ?? 1) out.push(i);
    return out;
  });
  const shape = picks.map((p) => p.length);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const xs = strides(x.shape);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    out[i] = x.data[idx.reduce((o, c, k) => o + picks[k][c] * xs[k], 0)];
  }
  return { data: out, shape };
}

function refConcat(parts: Nd[], axis: number): Nd {
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((a, p) => a + p.shape[axis], 0);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    let c = idx[axis];
    let p = 0;
    while (c >= parts[p].shape[axis]) c -= parts[p++].shape[axis];
    const local = [...idx];
    local[axis] = c;
    out[i] = parts[p].data[local.reduce((o, v, k) => o + v * strides(parts[p].shape)[k], 0)];
  }
  return { data: out, shape };
}

function refExpand(x: Nd, shape: number[]): Nd {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = at(x, unravel(i, shape));
  return { data: out, shape };
}

const reshaped = (x: Nd, shape: number[]): Nd => ({ data: x.data, shape });

describe('views: reshape, squeeze, unsqueeze, flatten', () => {
  it('reshape with -1 shares storage and views the gradient back', async () => {
    await checkOp('reshape', {
      inputs: [{ shape: [3, 5, 7] }],
      run: (x) => reshape(x, [5, -1]),
      ref: (x) => reshaped(x, [5, 21]),
      tol: EXACT, gradTol: GRAD,
    });
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const v = reshape(x, [-1]);
    assert.equal(v.storage, x.storage);
    assert.throws(() => reshape(x, [4, -1]), /reshape/);
    assert.throws(() => reshape(x, [-1, -1]), /at most one -1/);
    v.dispose();
    x.dispose();
  });
  it('squeeze / unsqueeze / flatten', async () => {
    await checkOp('squeeze-all', {
      inputs: [{ shape: [1, 7, 1, 3] }],
      run: (x) => squeeze(x),
      ref: (x) => reshaped(x, [7, 3]),
      tol: EXACT, gradTol: GRAD,
    });
    await checkOp('squeeze-one', {
      inputs: [{ shape: [1, 7, 1, 3] }],
      run: (x) => squeeze(x, -2),
      ref: (x) => reshaped(x, [1, 7, 3]),
      tol: EXACT, gradTol: GRAD,
    });
    await checkOp('unsqueeze', {
      inputs: [{ shape: [7, 3] }],
      run: (x) => unsqueeze(unsqueeze(x, -1), 0),
      ref: (x) => reshaped(x, [1, 7, 3, 1]),
      tol: EXACT, gradTol: GRAD,
    });
    await checkOp('flatten', {
      inputs: [{ shape: [2, 3, 5, 7] }],
      run: (x) => flatten(x, 1, 2),
      ref: (x) => reshaped(x, [2, 15, 7]),
      tol: EXACT, gradTol: GRAD,
    });
    const x = tensor([1, 2, 3], [3]);
    assert.throws(() => squeeze(x, 0), /size 3, not 1/);
    x.dispose();
  });
});

// Every copy op runs three ways: the v2 kernel (default), the v1 reference kernel, and the copy
// engine for contiguous runs (its threshold lowered so that these small shapes reach it).
const MODES = {
  'v2 kernel': { naive: false, copyEngineMinRun: Infinity },
  'v1 naive kernel': { naive: true, copyEngineMinRun: Infinity },
  'copy engine': { naive: false, copyEngineMinRun: 4 },
} as const;

for (const [mode, cfg] of Object.entries(MODES)) describe(mode, () => {
  const saved = { ...stridedCopyConfig };
  before(() => Object.assign(stridedCopyConfig, cfg));
  after(() => Object.assign(stridedCopyConfig, saved));

  describe(`permute / transpose (${mode})`, () => {
    const cases: [number[], number[]][] = [
      [[37, 29], [1, 0]],
      [[7, 13, 5], [2, 0, 1]],
      [[3, 4, 5, 6], [0, 2, 1, 3]], // leaves the last axis: coalesces to a rank-3 copy
      [[2, 3, 4, 5, 3, 7], [5, 3, 1, 0, 4, 2]],
    ];
    for (const [shape, perm] of cases) {
      it(`permute [${shape}] by [${perm}]`, async () => {
        await checkOp(`${mode}-permute-${shape}-${perm}`, {
          inputs: [{ shape }],
          run: (x) => permute(x, perm),
          ref: (x) => refPermute(x, perm),
          tol: EXACT, gradTol: GRAD, maxGradChecks: 100,
        });
      });
    }
    it('transpose swaps two axes (default the last two); negative axes', async () => {
      await checkOp(mode + '-transpose-0-2', {
        inputs: [{ shape: [3, 4, 5] }],
        run: (x) => transpose(x, 0, -1),
        ref: (x) => refPermute(x, [2, 1, 0]),
        tol: EXACT, gradTol: GRAD,
      });
      await checkOp(mode + '-transpose-default', {
        inputs: [{ shape: [2, 9, 11] }],
        run: (x) => transpose(x),
        ref: (x) => refPermute(x, [0, 2, 1]),
        tol: EXACT, gradTol: GRAD,
      });
    });
    it('moves i32 bits unchanged', async () => {
      const values = Array.from({ length: 5 * 7 * 3 }, (_, i) => (i * 2654435761) | 0);
      await checkOp(mode + '-permute-i32', {
        inputs: [{ shape: [5, 7, 3], dtype: 'i32', values }],
        run: (x) => permute(x, [1, 2, 0]),
        ref: (x) => refPermute(x, [1, 2, 0]),
        tol: EXACT, noGrad: true,
      });
    });
    it('rejects a non-permutation', () => {
      const x = tensor([1, 2, 3, 4], [2, 2]);
      assert.throws(() => permute(x, [0, 0]), /not a permutation/);
      x.dispose();
    });
  });

  describe(`slice (${mode})`, () => {
    const cases: [number[], number[], number[], number[]][] = [
      [[9, 11, 7], [1, -8, 0], [8, 10, 7], [2, 3, 1]],
      [[9, 11, 7], [-100, 3], [100, -2], [1, 1]], // clamped, negatives from the end
      [[13, 6], [2], [11], [1]], // a contiguous block: the copy-engine path
      [[5, 4, 3, 7], [0, 1, 0, 1], [5, 4, 3, 6], [4, 2, 2, 3]],
    ];
    for (const [shape, starts, ends, steps] of cases) {
      it(`[${shape}] [${starts}:${ends}:${steps}]`, async () => {
        await checkOp(`${mode}-slice-${shape}-${starts}-${ends}-${steps}`, {
          inputs: [{ shape }],
          run: (x) => slice(x, starts, ends, steps),
          ref: (x) => refSlice(x, starts, ends, steps),
          tol: EXACT, gradTol: GRAD,
        });
      });
    }
    it('sliceAxis; overlapping slices accumulate their gradients', async () => {
      await checkOp(mode + '-sliceAxis', {
        inputs: [{ shape: [4, 9, 5] }],
        run: (x) => sliceAxis(x, -2, 1, 8, 3),
        ref: (x) => refSlice(x, [0, 1], [4, 8], [1, 3]),
        tol: EXACT, gradTol: GRAD,
      });
      await checkOp(mode + '-slice-overlap', {
        inputs: [{ shape: [3, 7] }],
        run: (x) => concat([sliceAxis(x, 1, 0, 5), sliceAxis(x, 1, 2, 7)], 1),
        ref: (x) => refConcat([refSlice(x, [0, 0], [3, 5], [1, 1]), refSlice(x, [0, 2], [3, 7], [1, 1])], 1),
        tol: EXACT, gradTol: GRAD,
      });
    });
    it('an empty slice has a zero dim', async () => {
      const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const s = slice(x, [0, 2], [2, 1]);
      assert.deepEqual([...s.shape], [2, 0]);
      assert.throws(() => slice(x, [0], [2], [0]), /step/);
      s.dispose();
      x.dispose();
    });
  });

  describe(`concat / stack (${mode})`, () => {
    for (const axis of [0, 1, 2]) {
      it(`three parts along axis ${axis}`, async () => {
        const shapes = [[3, 5, 7], [3, 5, 7], [3, 5, 7]].map((s, i) => s.map((d, k) => (k === axis ? d + 2 * i - 1 : d)));
        await checkOp(`${mode}-concat-${axis}`, {
          inputs: shapes.map((shape) => ({ shape })),
          run: (...xs) => concat(xs, axis),
          ref: (...xs) => refConcat(xs, axis),
          tol: EXACT, gradTol: GRAD,
        });
      });
    }
    it('a part without a gradient gets none; negative axis', async () => {
      await checkOp(mode + '-concat-mixed', {
        inputs: [{ shape: [4, 3] }, { shape: [4, 5], noGrad: true }, { shape: [4, 1] }],
        run: (...xs) => concat(xs, -1),
        ref: (...xs) => refConcat(xs, 1),
        tol: EXACT, gradTol: GRAD,
      });
    });
    it('stack adds an axis', async () => {
      await checkOp(mode + '-stack', {
        inputs: [{ shape: [5, 3] }, { shape: [5, 3] }],
        run: (a, b) => stack([a, b], 1),
        ref: (a, b) => refConcat([reshaped(a, [5, 1, 3]), reshaped(b, [5, 1, 3])], 1),
        tol: EXACT, gradTol: GRAD,
      });
    });
    it('split undoes concat; each part’s gradient lands in its own range', async () => {
      await checkOp(mode + '-split', {
        inputs: [{ shape: [4, 9, 2] }],
        run: (x) => {
          const [a, b, c] = split(x, [2, 0, 7], 1);
          const out = concat([c, a, b], 1); // reordered, so a wrong range cannot cancel out
          [a, b, c].forEach((t) => t.dispose());
          return out;
        },
        ref: (x) => refConcat([refSlice(x, [0, 2], [4, 9], [1, 1]), refSlice(x, [0, 0], [4, 2], [1, 1])], 1),
        tol: EXACT, gradTol: GRAD,
      });
      const x = tensor([1, 2, 3, 4, 5, 6], [6]);
      const parts = split(x, 3);
      assert.deepEqual(await Promise.all(parts.map(async (p) => [...(await p.read())])), [[1, 2], [3, 4], [5, 6]]);
      assert.throws(() => split(x, 4), /equal parts/);
      assert.throws(() => split(x, [2, 2]), /add up/);
      [...parts, x].forEach((t) => t.dispose());
    });
    it('rejects mismatched parts', () => {
      const a = tensor([1, 2, 3, 4], [2, 2]);
      const b = tensor([1, 2, 3], [3, 1]);
      assert.throws(() => concat([a, b], 1), /concat/);
      a.dispose();
      b.dispose();
    });
  });

  describe(`expand / broadcastTo (${mode})`, () => {
    it('expand [3,1,5] → [2,3,4,5] sums the gradient back', async () => {
      await checkOp(mode + '-expand', {
        inputs: [{ shape: [3, 1, 5] }],
        run: (x) => expand(x, [2, 3, 4, 5]),
        ref: (x) => refExpand(x, [2, 3, 4, 5]),
        tol: EXACT, gradTol: { rel: 1e-5, abs: 1e-6 },
      });
      await checkOp(mode + '-broadcastTo', {
        inputs: [{ shape: [7, 1] }],
        run: (x) => broadcastTo(x, [-1, 9]),
        ref: (x) => refExpand(x, [7, 9]),
        tol: EXACT, gradTol: { rel: 1e-5, abs: 1e-6 },
      });
      const x = tensor([1, 2], [2]);
      assert.throws(() => expand(x, [3]), /broadcast/);
      x.dispose();
    });
    it('gradients flow through a chain of copies', async () => {
      // permute → slice → expand → sum(·r): one backward through three kernels.
      await checkOp(mode + '-chain', {
        inputs: [{ shape: [4, 6, 3] }],
        run: (x) => expand(sliceAxis(permute(x, [2, 0, 1]), 2, 1, 6, 2), [2, 3, 4, 3]),
        ref: (x) => refExpand(refSlice(refPermute(x, [2, 0, 1]), [0, 0, 1], [3, 4, 6], [1, 1, 2]), [2, 3, 4, 3]),
        tol: EXACT, gradTol: { rel: 1e-5, abs: 1e-6 },
      });
      // sanity for the harness pieces this file leans on
      const x = requireGrad(tensor([1, 2, 3, 4, 5, 6], [2, 3]));
      const loss = sum(mul(transpose(x), tensor([1, 2, 3, 4, 5, 6], [3, 2])));
      loss.backward();
      assert.deepEqual([...(await x.grad!.read())], [1, 3, 5, 2, 4, 6]);
      loss.dispose();
      x.grad!.dispose();
      x.dispose();
    });
  });
});
