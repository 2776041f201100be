import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { convGeometry, type ConvGeometry } from '../../src/ops/conv-geometry.ts';
import { depthwiseGradInputRaw, gatherApplies } from '../../src/ops/depthwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { assertClose, draw, setupGpu } from '../helpers/harness.ts';
import type { RefConvOptions } from '../helpers/conv-ref.ts';

before(setupGpu);

/** float64 dX[n, c, iy, ix] = Σ dY[n, c, oy, ox] · w[c, ky, kx] over oy·sh − pt + ky·dh = iy (and along x). */
function refGradInput(dy: Float64Array, w: Float64Array, g: ConvGeometry): Float64Array {
  const { N, H, W, OH, OW, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const C = g.groups;
  const out = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const gy = dy[((n * C + c) * OH + oy) * OW + ox];
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) out[((n * C + c) * H + iy) * W + ix] += gy * w[(c * kh + ky) * kw + kx];
    }
  }
  return out;
}

// Strided grad-inputs: the gather kernel (scalar and aligned dY rows) and the phase kernel, on odd
// sizes (partial tiles both ways), SAME (the extra pixel bottom/right), explicit padding, dilation,
// one axis strided, several workgroups of tiles. Outputs start NaN-poisoned (harness), so a pixel the
// kernel skips fails the comparison.
const cases: [string, number[], [number, number], RefConvOptions][] = [
  ['3×3/2 SAME, odd 9×13, N 2', [2, 5, 9, 13], [3, 3], { stride: 2, padding: 'same' }],
  ['3×3/2 SAME, 16×16 (OW 8: aligned rows), C 66', [1, 66, 16, 16], [3, 3], { stride: 2, padding: 'same' }],
  ['5×5/2 SAME, 15×24 (OW 12)', [2, 3, 15, 24], [5, 5], { stride: 2, padding: 'same' }],
  ['5×5/2 SAME, 56×56 (B0 shape, C 3)', [1, 3, 56, 56], [5, 5], { stride: 2, padding: 'same' }],
  ['5×5/2 pad 2, 7×10', [1, 4, 7, 10], [5, 5], { stride: 2, padding: 2 }],
  ['3×3/2 pad 1, dilation 2, 11×16', [2, 3, 11, 16], [3, 3], { stride: 2, padding: 1, dilation: 2 }],
  ['3×3 stride (2, 1) SAME, 10×9', [1, 4, 10, 9], [3, 3], { stride: [2, 1], padding: 'same' }],
  ['5×3 stride (1, 2) no padding, 9×17', [2, 3, 9, 17], [5, 3], { stride: [1, 2] }],
  ['3×3/2 SAME, 2×2 plane', [3, 7, 2, 2], [3, 3], { stride: 2, padding: 'same' }],
];

describe('depthwise strided grad-input: gather and phase kernels vs float64', () => {
  for (const [name, xs, [kh, kw], o] of cases) {
    it(name, async () => {
      const C = xs[1];
      const g = convGeometry(xs, [C, 1, kh, kw], { ...o, groups: C });
      assert.ok(gatherApplies(g), 'the gather kernel is the default');
      const rng = new Rng(23);
      const dyShape = [xs[0], C, g.OH, g.OW];
      const dyh = draw(rng, dyShape.reduce((a, b) => a * b)), wh = draw(rng, C * kh * kw);
      const expected = refGradInput(dyh, wh, g);
      const dy = tensor(dyh, dyShape), w = tensor(wh, [C, 1, kh, kw]);
      const variants: [string, { gather: boolean; aligned?: boolean }][] = [['phase kernel', { gather: false }], ['gather, scalar rows', { gather: true, aligned: false }]];
      if (g.OW % 4 === 0) variants.push(['gather, aligned rows', { gather: true, aligned: true }]);
      for (const [what, opts] of variants) {
        const dx = depthwiseGradInputRaw(dy, w, g, opts);
        assertClose(await dx.read(), expected, { rel: 2e-6 * kh }, `${name}: ${what}`);
        dx.dispose();
      }
      dy.dispose();
      w.dispose();
    });
  }
  it('stride 3 keeps the phase kernel', () => {
    const g = convGeometry([1, 4, 12, 12], [4, 1, 3, 3], { stride: 3, padding: 'same', groups: 4 });
    assert.equal(gatherApplies(g), false);
  });
});
