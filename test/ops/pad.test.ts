import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { pad2d, type Pad2d } from '../../src/ops/pad.ts';
import { tensor } from '../../src/tensor/create.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

/** numpy.pad semantics in float64: 'constant' with a fill, or 'reflect' (edge not repeated). */
function refPad(x: Nd, p: Pad2d, mode: 'constant' | 'reflect', value = 0): Nd {
  const [N, C, H, W] = x.shape;
  const OH = H + p.top + p.bottom;
  const OW = W + p.left + p.right;
  const out = new Float64Array(N * C * OH * OW);
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  for (let pl = 0; pl < N * C; pl++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    let h = oh - p.top;
    let w = ow - p.left;
    let v: number;
    if (mode === 'reflect') {
      h = refl(h, H);
      w = refl(w, W);
      v = x.data[(pl * H + h) * W + w];
    } else {
      v = h < 0 || h >= H || w < 0 || w >= W ? value : x.data[(pl * H + h) * W + w];
    }
    out[(pl * OH + oh) * OW + ow] = v;
  }
  return { data: out, shape: [N, C, OH, OW] };
}

const pads: [string, Pad2d][] = [
  ['TF SAME asymmetric (0,1,0,1)', { top: 0, bottom: 1, left: 0, right: 1 }],
  ['(2,1,3,0)', { top: 2, bottom: 1, left: 3, right: 0 }],
  ['(4,4,6,6), nearly the plane', { top: 4, bottom: 4, left: 6, right: 6 }],
];

describe('pad2d vs float64', () => {
  for (const [name, p] of pads) {
    it(`constant zero ${name}`, async () => {
      await checkOp(`pad-zero-${name}`, {
        inputs: [{ shape: [2, 3, 5, 7] }],
        run: (x) => pad2d(x, p),
        ref: (x) => refPad(x, p, 'constant'),
        tol: { rel: 0 },
      });
    });
    it(`reflect ${name}`, async () => {
      await checkOp(`pad-reflect-${name}`, {
        inputs: [{ shape: [2, 3, 5, 7] }],
        run: (x) => pad2d(x, p, { mode: 'reflect' }),
        ref: (x) => refPad(x, p, 'reflect'),
        tol: { rel: 0 },
      });
    });
  }
  it('constant with a fill value, same pad on every side', async () => {
    await checkOp('pad-fill', {
      inputs: [{ shape: [1, 7, 3, 4] }],
      run: (x) => pad2d(x, 2, { value: -1.5 }),
      ref: (x) => refPad(x, { top: 2, bottom: 2, left: 2, right: 2 }, 'constant', -1.5),
      tol: { rel: 0 },
    });
  });
  it('reflect pad must be smaller than the plane', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
    assert.throws(() => pad2d(x, { top: 2, bottom: 0, left: 0, right: 0 }, { mode: 'reflect' }), /smaller than the plane/);
  });
});
