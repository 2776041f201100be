import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getGpu, type AdapterSummary } from '../../src/gpu/device.ts';
import { convGeometry } from '../../src/ops/conv-geometry.ts';
import { depthwiseConv2d, depthwiseForwardRaw, depthwiseGradInputRaw, depthwiseGradWeightRaw, rowsPerInvocation } from '../../src/ops/depthwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { refConv2d, type RefConvOptions } from '../helpers/conv-ref.ts';
import { assertClose, checkOp, draw, setupGpu } from '../helpers/harness.ts';
import { nd } from '../helpers/nd.ts';

before(setupGpu);
const saved = process.env.SEEABLE_DEPTHWISE_TILES;
after(() => {
  if (saved === undefined) delete process.env.SEEABLE_DEPTHWISE_TILES;
  else process.env.SEEABLE_DEPTHWISE_TILES = saved;
});

const adapter = (isSoftware: boolean, slowShaderCompile: boolean) => ({ ...getGpu().adapter, isSoftware, slowShaderCompile }) as AdapterSummary;

describe('depthwise whole-row kernel: which passes take it', () => {
  it('small planes on a fast-compiling software adapter, rows split evenly, ≤ 56 outputs per invocation', () => {
    delete process.env.SEEABLE_DEPTHWISE_TILES;
    const lavapipe = adapter(true, false);
    assert.equal(rowsPerInvocation(14, 14, 14, lavapipe), 4);   // 4 + 4 + 4 + 2
    assert.equal(rowsPerInvocation(7, 7, 7, lavapipe), 7);
    assert.equal(rowsPerInvocation(7, 7, 14, lavapipe), 7);     // 5×5/2 from 14²
    assert.equal(rowsPerInvocation(8, 8, 8, lavapipe), 4);      // 4 + 4, not 7 + 1
    assert.equal(rowsPerInvocation(16, 16, 16, lavapipe), 3);
    assert.equal(rowsPerInvocation(2, 2, 2, lavapipe), 2);
    assert.equal(rowsPerInvocation(1, 13, 13, lavapipe), 1);
  });
  it('not for wide planes or sources, SwiftShader, hardware GPUs, or with SEEABLE_DEPTHWISE_TILES', () => {
    const lavapipe = adapter(true, false);
    assert.equal(rowsPerInvocation(17, 17, 17, lavapipe), 0);
    assert.equal(rowsPerInvocation(14, 14, 28, lavapipe), 0);   // 3×3/2 from 28²: the tiles were faster
    assert.equal(rowsPerInvocation(14, 14, 14, adapter(true, true)), 0);
    assert.equal(rowsPerInvocation(14, 14, 14, adapter(false, false)), 0);
    process.env.SEEABLE_DEPTHWISE_TILES = '1';
    assert.equal(rowsPerInvocation(14, 14, 14, lavapipe), 0);
    delete process.env.SEEABLE_DEPTHWISE_TILES;
  });
  it('refuses the forced kernels on a plane wider than 16', () => {
    const C = 2, xs = [1, C, 3, 17];
    const g = convGeometry(xs, [C, 1, 3, 3], { padding: 'same', groups: C });
    const x = tensor(new Float32Array(C * 51), xs), w = tensor(new Float32Array(C * 9), [C, 1, 3, 3]);
    assert.throws(() => depthwiseForwardRaw(x, w, null, g, { rows: 2 }), /OW ≤ 16/);
    assert.throws(() => depthwiseGradWeightRaw(x, x, g, { rows: true }), /OW ≤ 16/);
    x.dispose();
    w.dispose();
  });
});

// Forced row counts (uneven last bands, one band, one row a band) on odd planes, 3×3 and 5×5, SAME at
// strides 1 and 2, symmetric padding, dilation 2, no padding; forward with bias and the stride-1
// grad-input (the pass over dY with the window reversed), and the whole-row grad-weight, against
// float64 (a random dY scattered back through the window), outputs NaN-poisoned.
const cases: [string, number[], number, RefConvOptions][] = [
  ['3×3/1 SAME 7×7', [2, 5, 7, 7], 3, { padding: 'same' }],
  ['5×5/1 SAME 13×13', [1, 3, 13, 13], 5, { padding: 'same' }],
  ['5×5/1 SAME 14×14', [1, 4, 14, 14], 5, { padding: 'same' }],
  ['3×3/2 SAME 13×11 (symmetric pad)', [1, 3, 13, 11], 3, { stride: 2, padding: 'same' }],
  ['5×5/2 SAME 14×14 (extra pixel bottom/right)', [2, 3, 14, 14], 5, { stride: 2, padding: 'same' }],
  ['3×3/2 pad 1 9×16', [1, 7, 9, 16], 3, { stride: 2, padding: 1 }],
  ['3×3 dilation 2 pad 2 9×10', [1, 3, 9, 10], 3, { dilation: 2, padding: 2 }],
  ['5×5 dilation 2 SAME 11×7', [1, 2, 11, 7], 5, { dilation: 2, padding: 'same' }],
  ['3×3 no padding 6×9', [1, 4, 6, 9], 3, {}],
  ['5×5/1 SAME 2×3', [1, 5, 2, 3], 5, { padding: 'same' }],
];

describe('depthwise whole-row kernel vs float64 (forced row counts)', () => {
  const rng = new Rng(31);
  for (const [name, xs, k, o] of cases) {
    it(name, async () => {
      const C = xs[1];
      const g = convGeometry(xs, [C, 1, k, k], { ...o, groups: C });
      const xh = draw(rng, xs.reduce((a, b) => a * b)), wh = draw(rng, C * k * k), bh = draw(rng, C);
      const x = tensor(xh, xs), w = tensor(wh, [C, 1, k, k]), b = tensor(bh, [C]);
      const ref = refConv2d(nd(xh, xs), nd(wh, [C, 1, k, k]), nd(bh, [C]), { ...o, groups: C }).data;
      const stride1 = g.sh === 1 && g.sw === 1 && g.pt <= (k - 1) * g.dh && g.pl <= (k - 1) * g.dw;
      // dX = the forward's transpose applied to dY (here a random dY), by float64 scatter.
      const dyh = draw(rng, g.N * C * g.OH * g.OW);
      const refDx = new Float64Array(xh.length), refDw = new Float64Array(wh.length);
      for (let n = 0; n < g.N; n++) for (let c = 0; c < C; c++) for (let oy = 0; oy < g.OH; oy++) for (let ox = 0; ox < g.OW; ox++) {
        const gy = dyh[((n * C + c) * g.OH + oy) * g.OW + ox];
        for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
          const iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
          if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
          refDx[((n * C + c) * g.H + iy) * g.W + ix] += gy * wh[(c * k + ky) * k + kx];
          refDw[(c * k + ky) * k + kx] += gy * xh[((n * C + c) * g.H + iy) * g.W + ix];
        }
      }
      const dy = tensor(dyh, [g.N, C, g.OH, g.OW]);
      const dw = depthwiseGradWeightRaw(x, dy, g, { rows: true });
      assertClose(await dw.read(), refDw, { rel: 1e-5 * k }, 'grad-weight');
      dw.dispose();
      for (const rows of [1, 2, 3, 4, 7, 8]) {
        const y = depthwiseForwardRaw(x, w, b, g, { rows });
        assertClose(await y.read(), ref, { rel: 2e-6 * k }, `forward, ${rows} rows`);
        y.dispose();
        if (stride1) {
          const dx = depthwiseGradInputRaw(dy, w, g, { rows });
          assertClose(await dx.read(), refDx, { rel: 2e-6 * k }, `grad-input, ${rows} rows`);
          dx.dispose();
        }
      }
      for (const t of [x, w, b, dy]) t.dispose();
    });
  }
});

describe('depthwiseConv2d on EfficientNet-B0 small-plane shapes (the default choice), with gradients', () => {
  for (const [name, xs, k, stride] of [['5×5/1 14² C 9', [1, 9, 14, 14], 5, 1], ['3×3/1 7² C 11', [2, 11, 7, 7], 3, 1], ['5×5/2 14²→7² C 5', [1, 5, 14, 14], 5, 2]] as [string, number[], number, number][]) {
    it(name, async () => {
      const C = xs[1];
      const o: RefConvOptions = { padding: 'same', stride };
      await checkOp(`depthwise rows ${name}`, {
        inputs: [{ shape: xs }, { shape: [C, 1, k, k] }, { shape: [C] }],
        run: (x, w, b) => depthwiseConv2d(x, w, { ...o, bias: b }),
        ref: (x, w, b) => refConv2d(x, w, b ?? null, { ...o, groups: C }),
        tol: { rel: 2e-6 * k },
        gradTol: { rel: 2e-3, abs: 1e-5 },
        maxGradChecks: 40,
      });
    });
  }
});
