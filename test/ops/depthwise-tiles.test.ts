import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getGpu } from '../../src/gpu/device.ts';
import { convGeometry } from '../../src/ops/conv-geometry.ts';
import { alignedRowsApply, depthwiseConv2d, depthwiseForwardRaw, depthwiseGradInputRaw, forwardTile } from '../../src/ops/depthwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { refConv2d, type RefConvOptions } from '../helpers/conv-ref.ts';
import { assertClose, checkOp, draw, setupGpu } from '../helpers/harness.ts';
import { nd } from '../helpers/nd.ts';

before(setupGpu);
// These are the tiled kernels' tests: small planes take the whole-row kernel by default on lavapipe
// (depthwise-rows.test.ts), so it is switched off here.
const saved = process.env.SEEABLE_DEPTHWISE_SCALAR;
const savedTiles = process.env.SEEABLE_DEPTHWISE_TILES;
before(() => void (process.env.SEEABLE_DEPTHWISE_TILES = '1'));
after(() => {
  if (saved === undefined) delete process.env.SEEABLE_DEPTHWISE_SCALAR;
  else process.env.SEEABLE_DEPTHWISE_SCALAR = saved;
  if (savedTiles === undefined) delete process.env.SEEABLE_DEPTHWISE_TILES;
  else process.env.SEEABLE_DEPTHWISE_TILES = savedTiles;
});

// The depthwise forward's variants: aligned vec4 rows (W % 4 = 0, W stride ≤ 2; also the stride-1
// grad-input, a flipped forward over dY) and the output tiles narrower than 4×8 for small planes
// (TW = 4 where OW ≤ 4, TH = OH where OH < 4). Each case runs with the aligned entry allowed and with
// SEEABLE_DEPTHWISE_SCALAR=1; `aligned` says whether the forward must take the aligned entry.
const cases: [string, number[], number, boolean, RefConvOptions, boolean][] = [
  ['3×3/1 SAME, W 12, H 7, bias', [2, 5, 7, 12], 3, true, { padding: 'same' }, true],
  ['5×5/1 SAME, W 8, H 5', [1, 3, 5, 8], 5, false, { padding: 'same' }, true],
  ['3×3/2 SAME, W 16, odd H 9, bias', [1, 4, 9, 16], 3, true, { stride: 2, padding: 'same' }, true],
  ['5×5/2 pad 2, W 12', [2, 3, 7, 12], 5, false, { stride: 2, padding: 2 }, true],
  ['3×3 dilation 2 pad 2, W 12', [1, 3, 6, 12], 3, true, { dilation: 2, padding: 2 }, true],
  ['5×5 dilation 2 pad 4, W 8', [1, 2, 9, 8], 5, false, { dilation: 2, padding: 4 }, true],
  ['3×3 no padding, W 8', [1, 3, 5, 8], 3, false, {}, true],
  ['4×4 plane, 5×5 SAME (4-wide tile), C 9', [3, 9, 4, 4], 5, true, { padding: 'same' }, true],
  ['2×2 plane, 5×5 SAME (2×4 tile)', [2, 7, 2, 2], 5, true, { padding: 'same' }, false],
  ['3×4 plane, 3×3/2 SAME (2-row tile)', [2, 5, 3, 4], 3, false, { stride: 2, padding: 'same' }, true],
  ['1×4 plane, 3×3 SAME (1-row tile)', [1, 6, 1, 4], 3, true, { padding: 'same' }, true],
  ['3×6 plane, 3×3 SAME (3-row tile, W not a multiple of 4)', [2, 4, 3, 6], 3, false, { padding: 'same' }, false],
];

describe('depthwise forward tiles and aligned rows vs float64', () => {
  for (const scalar of [false, true]) {
    for (const [name, xs, k, bias, o, aligned] of cases) {
      it(`${scalar ? 'scalar rows' : 'default'}: ${name}`, async () => {
        if (scalar) process.env.SEEABLE_DEPTHWISE_SCALAR = '1';
        else delete process.env.SEEABLE_DEPTHWISE_SCALAR;
        const C = xs[1];
        const g = convGeometry(xs, [C, 1, k, k], { ...o, groups: C });
        assert.equal(alignedRowsApply(g.W, g.pl, g, forwardTile(g.OH, g.OW).TW), aligned && !scalar, 'aligned entry taken');
        await checkOp(`depthwise ${name}`, {
          inputs: [{ shape: xs }, { shape: [C, 1, k, k] }, ...(bias ? [{ shape: [C] }] : [])],
          run: (x, w, b) => depthwiseConv2d(x, w, { ...o, bias: b }),
          ref: (x, w, b) => refConv2d(x, w, b ?? null, { ...o, groups: C }),
          tol: { rel: 2e-6 * k },
          gradTol: { rel: 2e-3, abs: 1e-5 },
          maxGradChecks: 60,
        });
      });
    }
  }
});

describe('depthwise: every tile shape agrees with float64 on one input', () => {
  // Forced tiles and entries on a plane that leaves partial tiles in both directions.
  const xs = [2, 5, 10, 12];
  const rng = new Rng(17);
  for (const k of [3, 5]) {
    for (const [TH, TW] of [[4, 8], [4, 4], [2, 4], [1, 8], [3, 4]]) {
      for (const aligned of [false, true]) {
        it(`${k}×${k} SAME, tile ${TH}×${TW}, ${aligned ? 'aligned' : 'scalar'} rows (forward and stride-1 grad-input)`, async () => {
          delete process.env.SEEABLE_DEPTHWISE_SCALAR;
          const C = xs[1];
          const o: RefConvOptions = { padding: 'same' };
          const g = convGeometry(xs, [C, 1, k, k], { ...o, groups: C });
          const xh = draw(rng, xs.reduce((a, b) => a * b)), wh = draw(rng, C * k * k);
          const x = tensor(xh, xs), w = tensor(wh, [C, 1, k, k]);
          const y = depthwiseForwardRaw(x, w, null, g, { aligned, tile: { TH, TW } });
          const ref = refConv2d(nd(xh, xs), nd(wh, [C, 1, k, k]), null, { ...o, groups: C }).data;
          assertClose(await y.read(), ref, { rel: 2e-6 * k }, 'forward');
          // SAME at stride 1 keeps the size, so grad-input = conv of dY with the flipped window.
          const flipped = new Float64Array(wh.length);
          for (let c = 0; c < C; c++) for (let t = 0; t < k * k; t++) flipped[c * k * k + t] = wh[c * k * k + k * k - 1 - t];
          const dx = depthwiseGradInputRaw(x, w, g, { aligned, tile: { TH, TW } });
          const refDx = refConv2d(nd(xh, xs), nd(flipped, [C, 1, k, k]), null, { padding: (k - 1) / 2, groups: C }).data;
          assertClose(await dx.read(), refDx, { rel: 2e-6 * k }, 'grad-input');
          for (const t of [x, w, y, dx]) t.dispose();
        });
      }
    }
  }
});

describe('depthwise: the tile chosen per adapter (slow shader compilers get 4-wide tiles)', () => {
  it('is 8 wide only where allowed and the plane is wider than 4; the default follows the adapter', () => {
    assert.deepEqual(forwardTile(16, 16, true), { TH: 4, TW: 8 });
    assert.deepEqual(forwardTile(16, 16, false), { TH: 4, TW: 4 });
    assert.deepEqual(forwardTile(2, 4, true), { TH: 2, TW: 4 });
    assert.deepEqual(forwardTile(3, 9, false), { TH: 3, TW: 4 });
    assert.deepEqual(forwardTile(16, 16), forwardTile(16, 16, !getGpu().adapter.slowShaderCompile));
  });

  // Both choices on B0-like planes (3×3/1, 3×3/2, 5×5/2; W 9 takes the scalar entry, W 16 the aligned
  // one): each against float64, and against each other (same taps in the same order per pixel).
  const rng = new Rng(23);
  for (const [xs, k, stride] of [[[2, 3, 9, 9], 3, 1], [[1, 4, 16, 16], 3, 2], [[1, 3, 13, 16], 5, 2]] as [number[], number, number][]) {
    it(`${k}×${k}/${stride} SAME on ${xs.join('×')}: wide and narrow choices agree with float64`, async () => {
      const C = xs[1];
      const o: RefConvOptions = { padding: 'same', stride };
      const g = convGeometry(xs, [C, 1, k, k], { ...o, groups: C });
      const xh = draw(rng, xs.reduce((a, b) => a * b)), wh = draw(rng, C * k * k);
      const x = tensor(xh, xs), w = tensor(wh, [C, 1, k, k]);
      const ref = refConv2d(nd(xh, xs), nd(wh, [C, 1, k, k]), null, { ...o, groups: C }).data;
      const outs: Float32Array[] = [];
      for (const wide of [true, false]) {
        const tile = forwardTile(g.OH, g.OW, wide);
        assert.equal(tile.TW, wide && g.OW > 4 ? 8 : 4);
        const y = depthwiseForwardRaw(x, w, null, g, { tile });
        outs.push(await y.readF32());
        assertClose(outs.at(-1)!, ref, { rel: 2e-6 * k }, `forward, tile ${tile.TH}×${tile.TW}`);
        y.dispose();
      }
      assertClose(outs[1], outs[0], { rel: 1e-6, abs: 1e-7 }, 'narrow vs wide tile');
      x.dispose();
      w.dispose();
    });
  }
});
