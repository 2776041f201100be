import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { batchNorm2d } from '../../src/ops/batchnorm.ts';
import { add } from '../../src/ops/elementwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { assertClose, checkOp, draw, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

/** Per-channel biased mean/var of an NCHW array. */
function channelStats(x: Nd): { mean: number[]; variance: number[]; m: number } {
  const [N, C, H, W] = x.shape;
  const hw = H * W;
  const mean = new Array<number>(C).fill(0);
  const variance = new Array<number>(C).fill(0);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let k = 0; k < hw; k++) mean[c] += x.data[(n * C + c) * hw + k];
  for (let c = 0; c < C; c++) mean[c] /= N * hw;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let k = 0; k < hw; k++) {
    variance[c] += (x.data[(n * C + c) * hw + k] - mean[c]) ** 2;
  }
  for (let c = 0; c < C; c++) variance[c] /= N * hw;
  return { mean, variance, m: N * hw };
}

function refBatchNorm(x: Nd, g: Nd, b: Nd, mean: ArrayLike<number>, variance: ArrayLike<number>, eps: number): Nd {
  const [N, C, H, W] = x.shape;
  const hw = H * W;
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(variance[c] + eps);
    for (let k = 0; k < hw; k++) {
      const i = (n * C + c) * hw + k;
      out[i] = g.data[c] * (x.data[i] - mean[c]) * inv + b.data[c];
    }
  }
  return { data: out, shape: [...x.shape] };
}

// Odd channel counts (3, 7, 24, 40, 112) and odd spatial sizes, none a multiple of the 64-lane workgroup.
// Planes of < 128, 128–255 and ≥ 256 pixels take each mapping of the kernels (flat / runs / segmented);
// planes of H·W % 4 == 0 take apply_vec4.
// The statistics run on both reduction paths (plane-reduce.ts): 'workgroup' and 'rows'; the last four
// shapes take the 'rows' mappings: several samples per thread (vec4, and a short last group of
// samples) and plane segments (vec4 and scalar).
const shapes = [[2, 3, 5, 7], [3, 7, 9, 11], [2, 24, 5, 5], [1, 40, 7, 3], [2, 112, 3, 5], [2, 7, 13, 17], [3, 5, 17, 19],
  [2, 7, 4, 6], [7, 2, 8, 10], [2, 3, 24, 20], [2, 3, 23, 21]];
const paths = ['rows', 'workgroup'] as const;

describe('batchNorm2d vs float64', () => {
  for (const shape of shapes) for (const reducePath of paths) {
    const C = shape[1];
    it(`training [${shape}] (gradients through the batch statistics, ${reducePath})`, async () => {
      await checkOp(`bn-train-${reducePath}-${shape}`, {
        inputs: [{ shape }, { shape: [C] }, { shape: [C] }, { shape: [C], noGrad: true }, { shape: [C], dist: 'positive', noGrad: true }],
        run: (x, g, b, rm, rv) => batchNorm2d(x, g, b, rm, rv, { training: true, momentum: 0.1, eps: 1e-3, reducePath }),
        ref: (x, g, b) => {
          const s = channelStats(x);
          return refBatchNorm(x, g, b, s.mean, s.variance, 1e-3);
        },
        tol: { rel: 2e-5 },
        gradTol: { rel: 2e-3, abs: 1e-4 },
        maxGradChecks: 150,
      });
    });
    it(`eval [${shape}] (running statistics, ${reducePath} gradient sums)`, async () => {
      await checkOp(`bn-eval-${reducePath}-${shape}`, {
        inputs: [{ shape }, { shape: [C] }, { shape: [C] }, { shape: [C], noGrad: true }, { shape: [C], dist: 'positive', noGrad: true }],
        run: (x, g, b, rm, rv) => batchNorm2d(x, g, b, rm, rv, { training: false, eps: 1e-5, reducePath }),
        ref: (x, g, b, rm, rv) => refBatchNorm(x, g, b, rm.data, rv.data, 1e-5),
        tol: { rel: 1e-5 },
        maxGradChecks: 150,
      });
    });
  }

  // The fused swish on every mapping (flat / runs / segmented) and in both modes.
  const silu = (y: Nd): Nd => ({ data: y.data.map((v) => v / (1 + Math.exp(-v))), shape: y.shape });
  for (const shape of [[2, 7, 5, 9], [2, 3, 13, 11], [3, 5, 17, 19], [7, 2, 8, 10], [2, 3, 24, 20]]) for (const reducePath of paths) {
    const C = shape[1];
    it(`activation 'silu' fused, training and eval [${shape}] (${reducePath})`, async () => {
      await checkOp(`bn-silu-train-${reducePath}-${shape}`, {
        inputs: [{ shape }, { shape: [C] }, { shape: [C] }],
        run: (x, g, b) => batchNorm2d(x, g, b, null, null, { training: true, eps: 1e-3, activation: 'silu', reducePath }),
        ref: (x, g, b) => {
          const s = channelStats(x);
          return silu(refBatchNorm(x, g, b, s.mean, s.variance, 1e-3));
        },
        tol: { rel: 2e-5 },
        gradTol: { rel: 2e-3, abs: 1e-4 },
        maxGradChecks: 120,
      });
      await checkOp(`bn-silu-eval-${shape}`, {
        inputs: [{ shape }, { shape: [C] }, { shape: [C] }, { shape: [C], noGrad: true }, { shape: [C], dist: 'positive', noGrad: true }],
        run: (x, g, b, rm, rv) => batchNorm2d(x, g, b, rm, rv, { eps: 1e-3, activation: 'silu', reducePath }),
        ref: (x, g, b, rm, rv) => silu(refBatchNorm(x, g, b, rm.data, rv.data, 1e-3)),
        tol: { rel: 1e-5 },
        maxGradChecks: 120,
      });
    });
  }

  for (const reducePath of paths) it(`a large channel (many partials) with a big offset keeps its variance (${reducePath})`, async () => {
    // 3 channels of 4·61·67 = 16,348 values around 50: the shifted sums must not cancel.
    const shape = [4, 3, 61, 67];
    await checkOp(`bn-train-large-offset-${reducePath}`, {
      inputs: [{ shape }, { shape: [3] }, { shape: [3] }],
      run: (x, g, b) => batchNorm2d(add(x, 50), g, b, null, null, { training: true, eps: 1e-3, reducePath }),
      ref: (x, g, b) => {
        const xs = { data: x.data.map((v) => v + 50), shape: x.shape };
        const s = channelStats(xs);
        return refBatchNorm(xs, g, b, s.mean, s.variance, 1e-3);
      },
      tol: { rel: 1e-4 },
      gradTol: { rel: 5e-3, abs: 1e-4 },
      maxGradChecks: 40,
    });
  });

  it('the naive elementwise kernel (SEEABLE_NAIVE_BN=1) agrees too (with the fused swish)', async () => {
    process.env.SEEABLE_NAIVE_BN = '1';
    try {
      for (const shape of [[2, 7, 13, 17], [2, 3, 5, 7]]) {
        await checkOp(`bn-naive-${shape}`, {
          inputs: [{ shape }, { shape: [shape[1]] }, { shape: [shape[1]] }],
          run: (x, g, b) => batchNorm2d(x, g, b, null, null, { training: true, eps: 1e-3, activation: 'silu' }),
          ref: (x, g, b) => {
            const s = channelStats(x);
            return silu(refBatchNorm(x, g, b, s.mean, s.variance, 1e-3));
          },
          tol: { rel: 2e-5 },
          gradTol: { rel: 2e-3, abs: 1e-4 },
          maxGradChecks: 60,
        });
      }
    } finally {
      delete process.env.SEEABLE_NAIVE_BN;
    }
  });

  // HW 129: apply_runs folds planes into z; HW 128: apply_vec4's 1-D grid folds into y.
  for (const hw of [129, 128]) it(`more than 65,535 planes fold the elementwise grid (HW ${hw}, eval forward, values checked)`, async () => {
    const shape = [65537, 2, 1, hw];
    const rng = new Rng(3);
    const xh = draw(rng, 65537 * 2 * hw, 'uniform');
    const [g, b, rm, rv] = [draw(rng, 2), draw(rng, 2), draw(rng, 2), draw(rng, 2, 'positive')];
    const y = batchNorm2d(tensor(xh, shape), tensor(g, [2]), tensor(b, [2]), tensor(rm, [2]), tensor(rv, [2]), { eps: 1e-3 });
    const want = refBatchNorm({ data: xh, shape }, { data: g, shape: [2] }, { data: b, shape: [2] }, rm, rv, 1e-3);
    assertClose(await y.read(), want.data, { rel: 1e-5 }, 'folded grid');
  });

  it('training updates the running buffers in place (unbiased variance, momentum)', async () => {
    const rng = new Rng(7);
    const shape = [3, 7, 17, 19]; // segmented partial sums
    const C = 7;
    const rm0 = draw(rng, C);
    const rv0 = draw(rng, C, 'positive');
    const rm = tensor(rm0, [C]);
    const rv = tensor(rv0, [C]);
    const g = tensor(draw(rng, C), [C]);
    const b = tensor(draw(rng, C), [C]);
    const expM = Array.from(rm0);
    const expV = Array.from(rv0);
    for (const momentum of [0.1, 0.01]) {
      const xh = draw(rng, 3 * 7 * 17 * 19, 'uniform').map((v) => 2 * v + 0.5);
      const y = batchNorm2d(tensor(xh, shape), g, b, rm, rv, { training: true, momentum, eps: 1e-3 });
      y.dispose();
      const s = channelStats({ data: xh, shape });
      for (let c = 0; c < C; c++) {
        expM[c] = (1 - momentum) * expM[c] + momentum * s.mean[c];
        expV[c] = (1 - momentum) * expV[c] + (momentum * s.variance[c] * s.m) / (s.m - 1);
      }
    }
    assertClose(await rm.read(), expM, { rel: 1e-5 }, 'running mean');
    assertClose(await rv.read(), expV, { rel: 1e-5 }, 'running var');
    // Eval mode leaves them alone.
    batchNorm2d(tensor(draw(rng, 3 * 7 * 17 * 19), shape), g, b, rm, rv).dispose();
    assertClose(await rm.read(), expM, { rel: 1e-5 }, 'running mean after eval');
  });

  it('rejects mismatched shapes and single-value training batches', () => {
    const x = tensor(draw(new Rng(1), 2 * 3 * 4), [1, 3, 2, 4]);
    const c3 = tensor([1, 2, 3], [3]);
    const c4 = tensor([1, 2, 3, 4], [4]);
    assert.throws(() => batchNorm2d(x, c4, c3, c3, c3), /gamma must be f32 with 3 elements/);
    assert.throws(() => batchNorm2d(x, c3, c3, c3, null, { training: true }), /both runningMean and runningVar/);
    const one = tensor([1, 2, 3], [1, 3, 1, 1]);
    assert.throws(() => batchNorm2d(one, c3, c3, c3, c3, { training: true }), /more than one value/);
  });
});
