import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { convGeometry } from '../../src/ops/conv-geometry.ts';
import { chooseConvPath, conv2d, convWithGeometry } from '../../src/ops/conv2d.ts';
import { choosePointwisePath, pointwiseGradInput, pointwiseGradWeight, type PointwisePath } from '../../src/ops/pointwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { refConv2d } from '../helpers/conv-ref.ts';
import { assertClose, checkOp, draw, setupGpu } from '../helpers/harness.ts';
import { nd } from '../helpers/nd.ts';

before(setupGpu);
const saved = { path: process.env.SEEABLE_POINTWISE, columns: process.env.SEEABLE_POINTWISE_COLUMNS };
after(() => {
  if (saved.path === undefined) delete process.env.SEEABLE_POINTWISE;
  else process.env.SEEABLE_POINTWISE = saved.path;
  if (saved.columns === undefined) delete process.env.SEEABLE_POINTWISE_COLUMNS;
  else process.env.SEEABLE_POINTWISE_COLUMNS = saved.columns;
});

// 1×1 convs on both paths (forced by SEEABLE_POINTWISE, which choosePointwisePath reads per call):
// planes whose H·W is a multiple of 4 (the vec4 gemm entry; 2×2 and 4×4 as in EfficientNet's late
// stages, where vec4 column groups of one invocation fall in different samples) and not (7×7, 3×5,
// 1×1: pack + gemm_packed by default, gemm_any with SEEABLE_POINTWISE_COLUMNS=gather), channel counts
// off the 4-row and 8-column blocks, batches > 1, bias.
const cases: [string, number[], number, boolean][] = [
  ['2×2 planes, N 5, 9 → 17, bias', [5, 9, 2, 2], 17, true],
  ['4×4 planes, N 3, 40 → 13', [3, 40, 4, 4], 13, false],
  ['3×5 planes (H·W odd), N 2, 7 → 12, bias', [2, 7, 3, 5], 12, true],
  ['1×1 planes, N 6, 11 → 5', [6, 11, 1, 1], 5, false],
  ['7×7 planes, N 1, 16 → 33', [1, 16, 7, 7], 33, true],
  ['6×6 planes, N 2, 3 → 26', [2, 3, 6, 6], 26, false],
];

describe('pointwise path choice', () => {
  it('channel-major on software adapters, per-sample on hardware GPUs, SEEABLE_POINTWISE overrides', () => {
    delete process.env.SEEABLE_POINTWISE;
    assert.equal(choosePointwisePath(true), 'channel-major');
    assert.equal(choosePointwisePath(false), 'per-sample');
    process.env.SEEABLE_POINTWISE = 'per-sample';
    assert.equal(choosePointwisePath(true), 'per-sample');
  });
});

describe('pointwise (1×1) conv vs float64, both paths', () => {
  for (const [path, columns] of [['channel-major', 'packed'], ['channel-major', 'gather'], ['per-sample', 'packed']] as [PointwisePath, string][]) {
    for (const [name, xs, co, bias] of cases) {
      if (columns === 'gather' && (xs[2] * xs[3]) % 4 === 0) continue; // planes of 4k pixels never gather
      it(`${path}${columns === 'gather' ? ' (gathered columns)' : ''}: ${name}`, async () => {
        process.env.SEEABLE_POINTWISE = path;
        process.env.SEEABLE_POINTWISE_COLUMNS = columns;
        assert.equal(choosePointwisePath(), path);
        const ws = [co, xs[1], 1, 1];
        assert.equal(chooseConvPath(convGeometry(xs, ws, {})), 'pointwise');
        await checkOp(`pointwise ${path} ${name}`, {
          inputs: [{ shape: xs }, { shape: ws }, ...(bias ? [{ shape: [co] }] : [])],
          run: (x, w, b) => conv2d(x, w, { bias: b }),
          ref: (x, w, b) => refConv2d(x, w, b ?? null),
          tol: { rel: 2e-6 * Math.sqrt(xs[1]) + 1e-6 },
          gradTol: { rel: 2e-3, abs: 1e-5 },
          maxGradChecks: 60,
        });
      });
    }
  }
});

describe('pointwise channel-major agrees with the naive kernel on larger shapes', () => {
  // Long reductions: the grad-weight splits N·H·W into several chunks (partials summed), and a
  // chunk boundary falls inside a sample.
  for (const [xs, co] of [[[7, 37, 5, 9], 29], [[16, 24, 4, 4], 41], [[20, 9, 6, 6], 11], [[3, 19, 12, 12], 8]] as [number[], number][]) {
    it(`${xs.join('×')} → ${co}`, async () => {
      process.env.SEEABLE_POINTWISE = 'channel-major';
      const rng = new Rng(3);
      const ws = [co, xs[1], 1, 1];
      const size = (s: number[]) => s.reduce((a, b) => a * b);
      const xh = draw(rng, size(xs)), wh = draw(rng, size(ws));
      const dyShape = [xs[0], co, xs[2], xs[3]];
      const dyh = draw(rng, size(dyShape));
      const x = tensor(xh, xs), w = tensor(wh, ws), dy = tensor(dyh, dyShape);
      const g = convGeometry(xs, ws, {});
      const y = convWithGeometry(x, w, null, g, 'pointwise');
      const yn = convWithGeometry(x, w, null, g, 'naive');
      assertClose(await y.read(), await yn.read(), { rel: 2e-6 * Math.sqrt(xs[1]) }, 'forward vs naive');
      assertClose(await y.read(), refConv2d(nd(xh, xs), nd(wh, ws), null).data, { rel: 2e-6 * Math.sqrt(xs[1]) }, 'forward vs float64');
      // dW = Σ dY·Xᵀ and dX = Wᵀ·dY in float64.
      const [N, C, H, W] = xs;
      const HW = H * W;
      const dw = new Float64Array(co * C), dx = new Float64Array(size(xs));
      for (let n = 0; n < N; n++) for (let o = 0; o < co; o++) for (let c = 0; c < C; c++) for (let p = 0; p < HW; p++) {
        const gy = dyh[(n * co + o) * HW + p];
        dw[o * C + c] += gy * xh[(n * C + c) * HW + p];
        dx[(n * C + c) * HW + p] += wh[o * C + c] * gy;
      }
      const gw = pointwiseGradWeight(x, dy, g), gx = pointwiseGradInput(dy, w, g);
      assertClose(await gw.read(), dw, { rel: 2e-6 * Math.sqrt(N * HW) }, 'grad-weight vs float64');
      assertClose(await gx.read(), dx, { rel: 2e-6 * Math.sqrt(co) }, 'grad-input vs float64');
      for (const t of [x, w, dy, y, yn, gw, gx]) t.dispose();
    });
  }
});
