import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resizeBilinear } from '../../src/ops/resize.ts';
import { tensor } from '../../src/tensor/create.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

/** PyTorch upsample_bilinear2d in float64 (area_pixel_compute_source_index + two taps per axis). */
function refResize(x: Nd, OH: number, OW: number, align: boolean): Nd {
  const [N, C, H, W] = x.shape;
  const axis = (inN: number, outN: number) => {
    const s = align ? (outN > 1 ? (inN - 1) / (outN - 1) : 0) : inN / outN;
    return Array.from({ length: outN }, (_, o) => {
      const src = align ? s * o : Math.max(s * (o + 0.5) - 0.5, 0);
      const i0 = Math.min(Math.floor(src), inN - 1);
      return { i0, i1: Math.min(i0 + 1, inN - 1), l: src - i0 };
    });
  };
  const th = axis(H, OH);
  const tw = axis(W, OW);
  const out = new Float64Array(N * C * OH * OW);
  for (let pl = 0; pl < N * C; pl++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    const v = (h: number, w: number) => x.data[(pl * H + h) * W + w];
    const { i0: h0, i1: h1, l: lh } = th[oh];
    const { i0: w0, i1: w1, l: lw } = tw[ow];
    out[(pl * OH + oh) * OW + ow] =
      (1 - lh) * ((1 - lw) * v(h0, w0) + lw * v(h0, w1)) + lh * ((1 - lw) * v(h1, w0) + lw * v(h1, w1));
  }
  return { data: out, shape: [N, C, OH, OW] };
}

const cases: [number[], [number, number]][] = [
  [[2, 3, 5, 7], [11, 13]], // up, non-integer factors
  [[1, 3, 4, 6], [8, 12]], // up ×2
  [[2, 7, 13, 11], [5, 4]], // down, non-integer
  [[1, 3, 16, 12], [4, 3]], // down ×4
  [[1, 5, 6, 9], [6, 9]], // same size
  [[1, 2, 5, 7], [1, 1]], // to a single pixel
  [[1, 2, 1, 1], [3, 5]], // from a single pixel
];

describe('resizeBilinear vs float64 (PyTorch semantics)', () => {
  for (const align of [false, true]) {
    for (const [shape, size] of cases) {
      it(`[${shape}] → ${size} align_corners=${align}`, async () => {
        await checkOp(`resize-${shape}-${size}-${align}`, {
          inputs: [{ shape }],
          run: (x) => resizeBilinear(x, size, { alignCorners: align }),
          ref: (x) => refResize(x, size[0], size[1], align),
          tol: { rel: 1e-5 },
          maxGradChecks: 200,
        });
      });
    }
  }
  it('matches a hand-worked 2×3 → 3×5 resize (align_corners=False)', async () => {
    // Rows: src = max((o + 0.5)·2/3 − 0.5, 0) = 0, 0.5, 1.17→clamped tap 1; columns: 0, 0.4, 1, 1.6, 2.2→2.
    const y = resizeBilinear(tensor([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]), [3, 5]);
    const expected = [0, 0.4, 1, 1.6, 2, 1.5, 1.9, 2.5, 3.1, 3.5, 3, 3.4, 4, 4.6, 5];
    const got = [...(await y.read())];
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `element ${i}: ${v} vs ${expected[i]}`));
  });
});
