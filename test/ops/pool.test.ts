import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { choosePlanePath } from '../../src/ops/plane-reduce.ts';
import { avgPool2d, globalAvgPool2d, maxPool2d, type PoolOptions } from '../../src/ops/pool.ts';
import { tensor } from '../../src/tensor/create.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

interface RefPool {
  k: [number, number];
  s: [number, number];
  d: [number, number];
  pad: [number, number, number, number]; // top, bottom, left, right
  out: [number, number];
}

/** Float64 pooling written from PyTorch's definition (avg: divisor from the padded or the clipped
 *  window; max: in-bounds taps only). */
function refPool(x: Nd, r: RefPool, kind: 'avg' | 'max', includePad = true): Nd {
  const [N, C, H, W] = x.shape;
  const [OH, OW] = r.out;
  const out = new Float64Array(N * C * OH * OW);
  for (let pl = 0; pl < N * C; pl++) {
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
      const hs = oh * r.s[0] - r.pad[0];
      const ws = ow * r.s[1] - r.pad[2];
      let acc = kind === 'max' ? -Infinity : 0;
      let inside = 0;
      let padded = 0;
      for (let a = 0; a < r.k[0]; a++) for (let b = 0; b < r.k[1]; b++) {
        const h = hs + a * r.d[0];
        const w = ws + b * r.d[1];
        if (h < H + r.pad[1] && w < W + r.pad[3]) padded++;
        if (h < 0 || h >= H || w < 0 || w >= W) continue;
        const v = x.data[(pl * H + h) * W + w];
        inside++;
        acc = kind === 'max' ? Math.max(acc, v) : acc + v;
      }
      out[(pl * OH + oh) * OW + ow] = kind === 'max' ? acc : acc / (includePad ? padded : inside);
    }
  }
  return { data: out, shape: [N, C, OH, OW] };
}

interface Case {
  name: string;
  shape: number[];
  k: [number, number];
  opts: PoolOptions;
  ref: Omit<RefPool, 'k'>;
}

const cases: Case[] = [
  { name: '3x3 s2 p1', shape: [2, 3, 9, 11], k: [3, 3], opts: { stride: 2, padding: 1 },
    ref: { s: [2, 2], d: [1, 1], pad: [1, 1, 1, 1], out: [5, 6] } },
  { name: '2x2 default stride', shape: [1, 7, 8, 10], k: [2, 2], opts: {},
    ref: { s: [2, 2], d: [1, 1], pad: [0, 0, 0, 0], out: [4, 5] } },
  { name: '3x2 s(1,2) p(1,0)', shape: [2, 5, 7, 9], k: [3, 2], opts: { stride: [1, 2], padding: [1, 0] },
    ref: { s: [1, 2], d: [1, 1], pad: [1, 1, 0, 0], out: [7, 4] } },
  // TF SAME on 10×9 with k3 s2: out 5×5, totals 1 and 2 → pad (0, 1) rows, (1, 1) cols.
  { name: "3x3 s2 'same' (asymmetric)", shape: [2, 3, 10, 9], k: [3, 3], opts: { stride: 2, padding: 'same' },
    ref: { s: [2, 2], d: [1, 1], pad: [0, 1, 1, 1], out: [5, 5] } },
  // ceil_mode: 7 → ceil((7 + 2 − 3) / 2) + 1 = 4 rows, the last window cut by the input's end.
  { name: '3x3 s2 p1 ceilMode', shape: [1, 3, 7, 8], k: [3, 3], opts: { stride: 2, padding: 1, ceilMode: true },
    ref: { s: [2, 2], d: [1, 1], pad: [1, 1, 1, 1], out: [4, 5] } },
];

describe('plane reduction path choice (plane-reduce.ts)', () => {
  it('CPU adapters always take rows; GPUs take a workgroup per plane unless the plane is tiny', () => {
    for (const len of [1, 4, 31, 32, 1024, 1 << 20]) assert.equal(choosePlanePath(len, true), 'rows', `cpu len ${len}`);
    for (const len of [1, 4, 31]) assert.equal(choosePlanePath(len, false), 'rows', `gpu len ${len}`);
    for (const len of [32, 1024, 1 << 20]) assert.equal(choosePlanePath(len, false), 'workgroup', `gpu len ${len}`);
  });
});

describe('pooling vs float64', () => {
  // Both reduction paths: 'rows' (thread per plane or per (plane, chunk): scalar, vec4 for H·W
  // divisible by 4, and the chunked second pass for few long planes) and 'workgroup'.
  for (const path of ['rows', 'workgroup'] as const) it(`globalAvgPool2d (${path}) over odd planes, vec4 planes, long planes`, async () => {
    for (const shape of [[2, 3, 5, 7], [3, 40, 13, 11], [1, 7, 1, 1], [2, 3, 8, 6], [1, 2, 40, 33], [1, 1, 31, 29]]) {
      await checkOp(`gap-${path}-${shape}`, {
        inputs: [{ shape }],
        run: (x) => globalAvgPool2d(x, { path }),
        ref: (x) => {
          const [N, C, H, W] = x.shape;
          const out = new Float64Array(N * C);
          for (let i = 0; i < x.data.length; i++) out[Math.floor(i / (H * W))] += x.data[i] / (H * W);
          return { data: out, shape: [N, C, 1, 1] };
        },
        tol: { rel: 1e-5 },
        maxGradChecks: 100,
      });
    }
  });

  for (const c of cases) {
    for (const includePad of [true, false]) {
      it(`avgPool2d ${c.name} count_include_pad=${includePad}`, async () => {
        await checkOp(`avg-${c.name}-${includePad}`, {
          inputs: [{ shape: c.shape }],
          run: (x) => avgPool2d(x, c.k, { ...c.opts, countIncludePad: includePad }),
          ref: (x) => refPool(x, { ...c.ref, k: c.k }, 'avg', includePad),
          tol: { rel: 1e-5 },
          maxGradChecks: 200,
        });
      });
    }
    it(`maxPool2d ${c.name}`, async () => {
      await checkOp(`max-${c.name}`, {
        inputs: [{ shape: c.shape }],
        run: (x) => maxPool2d(x, c.k, c.opts),
        ref: (x) => refPool(x, { ...c.ref, k: c.k }, 'max'),
        tol: { rel: 0 },
        maxGradChecks: 200,
      });
    });
  }

  it('maxPool2d with dilation 2', async () => {
    await checkOp('max-dilated', {
      inputs: [{ shape: [2, 3, 11, 9] }],
      run: (x) => maxPool2d(x, 3, { stride: 2, padding: 1, dilation: 2 }),
      ref: (x) => refPool(x, { k: [3, 3], s: [2, 2], d: [2, 2], pad: [1, 1, 1, 1], out: [5, 4] }, 'max'),
      tol: { rel: 0 },
    });
  });

  it('maxPool2d sends a tie to the first tap only', async () => {
    const x = tensor([1, 5, 5, 2], [1, 1, 2, 2]);
    x.requiresGrad = true;
    const y = maxPool2d(x, 2);
    assert.deepEqual([...(await y.read())], [5]);
    y.backward();
    assert.deepEqual([...(await x.grad!.read())], [0, 1, 0, 0]);
  });

  it('maxPool2d propagates NaN like PyTorch (and routes its gradient to the NaN tap)', async () => {
    const x = tensor([1, NaN, 3, 2, 5, 6, 7, 8], [1, 2, 2, 2]);
    x.requiresGrad = true;
    const y = maxPool2d(x, 2);
    const v = await y.read();
    assert.ok(Number.isNaN(v[0]) && v[1] === 8, `got ${[...v]}`);
    y.backward(tensor([1, 1], [1, 2, 1, 1]));
    assert.deepEqual([...(await x.grad!.read())], [0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('rejects padding over half the kernel', () => {
    const x = tensor(new Float32Array(2 * 9 * 9).fill(1), [1, 2, 9, 9]);
    assert.throws(() => avgPool2d(x, 3, { padding: 2 }), /at most half the kernel/);
  });
});
