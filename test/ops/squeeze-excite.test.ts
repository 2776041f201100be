import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { channelScale, squeezeExcite } from '../../src/ops/squeeze-excite.ts';
import { randn } from '../../src/tensor/create.ts';
import { sum } from '../../src/ops/reduce.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { noGrad, requireGrad } from '../../src/tensor/tape.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { checkOp, getGpu, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

function refScale(x: Nd, s: Nd): Nd {
  const [N, C, H, W] = x.shape;
  const hw = H * W;
  return { data: x.data.map((v, i) => v * s.data[Math.floor(i / hw)]), shape: [N, C, H, W] };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Float64 SE: pool → W1·p + b1 → swish → W2·h + b2 → sigmoid → scale. */
function refSqueezeExcite(x: Nd, w1: Nd, b1: Nd, w2: Nd, b2: Nd): Nd {
  const [N, C, H, W] = x.shape;
  const hw = H * W;
  const cr = b1.data.length;
  const gate = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    const pooled = Array.from({ length: C }, (_, c) => {
      let s = 0;
      for (let k = 0; k < hw; k++) s += x.data[(n * C + c) * hw + k];
      return s / hw;
    });
    const hidden = Array.from({ length: cr }, (_, j) => {
      let z = b1.data[j];
      for (let c = 0; c < C; c++) z += w1.data[j * C + c] * pooled[c];
      return z * sigmoid(z);
    });
    for (let c = 0; c < C; c++) {
      let z = b2.data[c];
      for (let j = 0; j < cr; j++) z += w2.data[c * cr + j] * hidden[j];
      gate[n * C + c] = sigmoid(z);
    }
  }
  return refScale(x, { data: gate, shape: [N, C] });
}

describe('squeeze-and-excite vs float64', () => {
  // [2, 5, 13, 11]: ≥ 128-pixel planes (RUNS); [2, 6, 4, 8]: vec4 planes (channel_scale4, _rows4); [1, 2, 40, 33] and [1, 1, 31, 29]: few long
  // planes, chunked (vec4 and scalar) with a second pass on the 'rows' path. gs by both paths.
  const shapes = [[2, 3, 5, 7], [3, 24, 9, 11], [1, 112, 3, 3], [2, 5, 13, 11], [2, 6, 4, 8], [1, 2, 40, 33], [1, 1, 31, 29]];
  for (const gradPath of ['rows', 'workgroup'] as const) for (const shape of shapes) {
    it(`channelScale [${shape}] (gx and gs, ${gradPath})`, async () => {
      await checkOp(`chscale-${gradPath}-${shape}`, {
        inputs: [{ shape }, { shape: shape.slice(0, 2) }],
        run: (x, s) => channelScale(x, s, { gradPath }),
        ref: refScale,
        tol: { rel: 1e-6 },
        maxGradChecks: 150,
      });
    });
  }
  // HW 129: the RUNS grid folds planes into z; HW 128: channel_scale4's 1-D grid folds into y.
  for (const hw of [129, 128]) it(`channelScale folds more than 65,535 planes into the grid (HW ${hw}, values checked)`, async () => {
    const [N, C, HW] = [65537, 2, hw];
    const x = randn([N, C, 1, HW]);
    const s = randn([N, C]);
    const y = channelScale(x, s);
    const [xv, sv, yv] = [await x.read(), await s.read(), await y.read()];
    for (let i = 0; i < yv.length; i += 97) assert.equal(yv[i], Math.fround(xv[i] * sv[Math.floor(i / HW)]), `element ${i}`);
    assert.equal(yv[yv.length - 1], Math.fround(xv[yv.length - 1] * sv[N * C - 1]));
  });
  it('channelScale takes s as [N, C, 1, 1] too', async () => {
    await checkOp('chscale-4d', {
      inputs: [{ shape: [2, 7, 4, 5] }, { shape: [2, 7, 1, 1] }],
      run: (x, s) => channelScale(x, s),
      ref: refScale,
      tol: { rel: 1e-6 },
    });
  });
  // x's gradient is one fused pass (se_grad_input: 5×7 planes; se_grad_input4: 4×6 planes), with the
  // pool and gs on either reduction path.
  const seCases = [[24, 6, 'matrix', 5, 7], [40, 10, 'conv', 4, 6], [7, 3, 'matrix', 5, 7], [7, 3, 'conv', 4, 6]] as const;
  for (const [C, cr, w1Shape, H, W] of seCases) for (const gradPath of ['rows', 'workgroup'] as const) {
    it(`squeezeExcite C=${C} reduce to ${cr} (${w1Shape} weights, ${H}×${W}, ${gradPath}), every input's gradient`, async () => {
      const conv = w1Shape === 'conv';
      await checkOp(`se-${C}-${cr}-${H}x${W}-${gradPath}`, {
        inputs: [
          { shape: [2, C, H, W] },
          { shape: conv ? [cr, C, 1, 1] : [cr, C] }, { shape: [cr] },
          { shape: conv ? [C, cr, 1, 1] : [C, cr] }, { shape: [C] },
        ],
        run: (x, w1, b1, w2, b2) => squeezeExcite(x, w1, b1, w2, b2, { gradPath }),
        ref: refSqueezeExcite,
        tol: { rel: 1e-5 },
        gradTol: { rel: 2e-3, abs: 1e-5 },
        maxGradChecks: 120,
      });
    });
  }
  it('squeezeExcite training: after backward only the gradients are left (the gy, s handoff is freed)', async () => {
    const inputs = [randn([2, 8, 4, 6]), randn([3, 8]), randn([3]), randn([8, 3]), randn([8])].map(requireGrad);
    await getGpu().sync();
    const before = getGpu().pool.stats().liveBytes;
    const y = squeezeExcite(...(inputs as [Tensor, Tensor, Tensor, Tensor, Tensor]));
    const l = tidy(() => sum(y));
    l.backward();
    y.dispose();
    l.dispose();
    const gradBytes = inputs.reduce((b, t) => b + t.size * 4, 0);
    for (const t of inputs) {
      assert.ok(t.grad, 'every input gets a gradient');
      t.grad.dispose();
      t.grad = null;
    }
    await getGpu().sync();
    assert.equal(getGpu().pool.stats().liveBytes, before, `leaked (gradients were ${gradBytes} bytes)`);
  });
  it('squeezeExcite outside tidy() leaves only its output alive (inference)', async () => {
    const [x, w1, b1, w2, b2] = [randn([2, 24, 5, 7]), randn([6, 24, 1, 1]), randn([6]), randn([24, 6, 1, 1]), randn([24])];
    await getGpu().sync();
    const before = getGpu().pool.stats().liveBytes;
    const y = noGrad(() => squeezeExcite(x, w1, b1, w2, b2));
    y.dispose();
    assert.equal(getGpu().pool.stats().liveBytes, before, 'temporaries leaked');
  });
});
