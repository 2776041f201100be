import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { convGeometry } from '../../src/ops/conv-geometry.ts';
import { depthwiseGradWeightRaw, gradWeightByRow } from '../../src/ops/depthwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { assertClose, draw, setupGpu } from '../helpers/harness.ts';
import type { RefConvOptions } from '../helpers/conv-ref.ts';
import { refSamePad } from '../helpers/conv-ref.ts';

before(setupGpu);

/** float64 dW[c, ky, kx] = Σ_{n,oy,ox} dY[n, c, oy, ox] · X[n, c, oy·s − pt + ky·d, ox·s − pl + kx·d]. */
function refGradWeight(x: Float64Array, xs: number[], dy: Float64Array, OH: number, OW: number, k: number, s: number, d: number, pt: number, pl: number): Float64Array {
  const [N, C, H, W] = xs;
  const out = new Float64Array(C * k * k);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const gy = dy[((n * C + c) * OH + oy) * OW + ox];
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
      const iy = oy * s - pt + ky * d, ix = ox * s - pl + kx * d;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) out[(c * k + ky) * k + kx] += gy * x[((n * C + c) * H + iy) * W + ix];
    }
  }
  return out;
}

// Both grad-weight kernels (per channel; per channel and kernel row) on odd shapes: partial 4-pixel
// blocks, several splits, stride 2 with SAME padding, dilation.
const cases: [string, number[], number, number, number, RefConvOptions][] = [
  ['3×3/1 SAME, C 7, 9×11', [2, 7, 9, 11], 3, 1, 1, { padding: 'same' }],
  ['5×5/2 SAME, C 5, 10×13', [3, 5, 10, 13], 5, 2, 1, { stride: 2, padding: 'same' }],
  ['3×3/2 SAME, C 66 (two workgroups of rows), 7×6', [1, 66, 7, 6], 3, 2, 1, { stride: 2, padding: 'same' }],
  ['5×5/1 dilation 2, C 3, 2×3 planes', [4, 3, 2, 3], 5, 1, 2, { dilation: 2, padding: 4 }],
];

describe('depthwise grad-weight kernels vs float64', () => {
  for (const [name, xs, k, s, d, o] of cases) {
    it(name, async () => {
      const C = xs[1];
      const g = convGeometry(xs, [C, 1, k, k], { ...o, groups: C });
      const rng = new Rng(5);
      const xh = draw(rng, xs.reduce((a, b) => a * b));
      const dyShape = [xs[0], C, g.OH, g.OW];
      const dyh = draw(rng, dyShape.reduce((a, b) => a * b));
      const pt = o.padding === 'same' ? refSamePad(xs[2], k, s, d)[0] : (o.padding as number);
      const pl = o.padding === 'same' ? refSamePad(xs[3], k, s, d)[0] : (o.padding as number);
      const expected = refGradWeight(xh, xs, dyh, g.OH, g.OW, k, s, d, pt, pl);
      const x = tensor(xh, xs), dy = tensor(dyh, dyShape);
      for (const byRow of [false, true]) {
        const dw = depthwiseGradWeightRaw(x, dy, g, { byRow });
        assertClose(await dw.read(), expected, { rel: 1e-5 }, `${name}, ${byRow ? 'by kernel row' : 'per channel'}`);
        dw.dispose();
      }
      x.dispose();
      dy.dispose();
    });
  }
  it('by kernel row for windows over 3×3 and strided ones', () => {
    const geo = (k: number, s: number) => convGeometry([1, 8, 16, 16], [8, 1, k, k], { stride: s, padding: 'same', groups: 8 });
    assert.equal(gradWeightByRow(geo(3, 1)), false);
    assert.equal(gradWeightByRow(geo(3, 2)), true);
    assert.equal(gradWeightByRow(geo(5, 1)), true);
  });
});
