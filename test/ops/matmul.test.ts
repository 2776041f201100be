import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { chooseMatmulKernel, matmul, matmulRaw, type MatmulKernelKind } from '../../src/ops/matmul.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { assertClose, checkOp, draw, setupGpu } from '../helpers/harness.ts';
import { nd, type Nd } from '../helpers/nd.ts';

before(setupGpu);

/** float64 batched matmul with transposes and one-sided batch broadcasting */
export function refMatmul(a: Nd, b: Nd, tA = false, tB = false): Nd {
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const M = tA ? ac : ar, K = tA ? ar : ac, N = tB ? br : bc;
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const na = ba.reduce((x, y) => x * y, 1), nb = bb.reduce((x, y) => x * y, 1);
  const batchShape = na >= nb ? ba : bb;
  const batch = Math.max(na, nb);
  const out = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const ao = na === 1 ? 0 : z * M * K, bo = nb === 1 ? 0 : z * K * N;
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += a.data[ao + (tA ? k * M + m : m * K + k)] * b.data[bo + (tB ? n * K + k : k * N + n)];
      }
      out[z * M * N + m * N + n] = s;
    }
  }
  return { data: out, shape: [...batchShape, M, N] };
}

describe('matmul vs float64', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 13], [13, 5], false, false],
    [[13, 7], [13, 5], true, false],
    [[7, 13], [5, 13], false, true],
    [[13, 7], [5, 13], true, true],
    [[3, 9, 17], [3, 17, 11], false, false],
    [[2, 3, 9, 17], [17, 11], false, false],
    [[9, 17], [4, 17, 11], false, false],
    [[1, 33], [33, 65], false, false],
    [[67, 1], [1, 35], false, false],
  ];
  for (const [sa, sb, tA, tB] of cases) {
    it(`[${sa}]${tA ? 'ᵀ' : ''} · [${sb}]${tB ? 'ᵀ' : ''}`, async () => {
      await checkOp(`matmul-${sa}-${sb}-${tA}-${tB}`, {
        inputs: [{ shape: sa }, { shape: sb }],
        run: (a, b) => matmul(a, b, { transA: tA, transB: tB }),
        ref: (a, b) => refMatmul(a, b, tA, tB),
        tol: { rel: 1e-5 },
        gradTol: { rel: 2e-3, abs: 1e-5 },
        maxGradChecks: 120,
      });
    });
  }
});

// ---- fast kernels: each against float64 and against the naive reference kernel ----

const FAST: MatmulKernelKind[] = ['blocked', 'blocked_any', 'tiled'];
const ODD = [1, 3, 17, 33, 65, 130];

interface Shape3 { M: number; N: number; K: number; tA: boolean; tB: boolean; batchA?: number; batchB?: number }

function shapesOf(c: Shape3): [number[], number[]] {
  const a = c.tA ? [c.K, c.M] : [c.M, c.K];
  const b = c.tB ? [c.N, c.K] : [c.K, c.N];
  return [c.batchA ? [c.batchA, ...a] : a, c.batchB ? [c.batchB, ...b] : b];
}

/** Every size of ODD in every one of M, N, K (rotations), each with all four transpose combos. */
function oddCases(nValues: number[]): Shape3[] {
  const out: Shape3[] = [];
  for (let i = 0; i < ODD.length; i++) {
    const M = ODD[i], K = ODD[(i + 2) % ODD.length], N = nValues[(i + 4) % nValues.length];
    for (const tA of [false, true]) for (const tB of [false, true]) out.push({ M, N, K, tA, tB });
  }
  return out;
}

const BATCHED: Shape3[] = [
  { M: 17, N: 12, K: 33, tA: false, tB: false, batchA: 3, batchB: 3 },
  { M: 17, N: 13, K: 33, tA: true, tB: true, batchA: 3, batchB: 3 },
  { M: 33, N: 20, K: 17, tA: false, tB: false, batchB: 4 }, // A broadcast (stride 0)
  { M: 9, N: 65, K: 3, tA: true, tB: false, batchA: 2 }, // B broadcast
  { M: 5, N: 7, K: 65, tA: false, tB: true, batchA: 2 },
  { M: 9, N: 8, K: 17, tA: false, tB: true, batchA: 2, batchB: 2 }, // vec4 path: Bᵀ repacked per batch
  { M: 9, N: 12, K: 17, tA: true, tB: true, batchA: 3 }, // repacked Bᵀ broadcast
];

async function compareKinds(kind: MatmulKernelKind, cases: Shape3[]): Promise<void> {
  const rng = new Rng(hashKind(kind));
  const pending: { name: string; fast: Tensor; naive: Tensor; ref: Nd }[] = [];
  for (const c of cases) {
    const [sa, sb] = shapesOf(c);
    const ha = draw(rng, sa.reduce((x, y) => x * y, 1));
    const hb = draw(rng, sb.reduce((x, y) => x * y, 1));
    const a = tensor(ha, sa), b = tensor(hb, sb);
    const o = { transA: c.tA, transB: c.tB };
    pending.push({
      name: `${kind} [${sa}]${c.tA ? 'ᵀ' : ''}·[${sb}]${c.tB ? 'ᵀ' : ''}`,
      fast: matmulRaw(a, b, { ...o, kernel: kind }),
      naive: matmulRaw(a, b, { ...o, kernel: 'naive' }),
      ref: refMatmul(nd(ha, sa), nd(hb, sb), c.tA, c.tB),
    });
    a.dispose();
    b.dispose();
  }
  for (const t of pending) {
    assert.deepEqual([...t.fast.shape], t.ref.shape, `${t.name}: shape`);
    const fast = await t.fast.read();
    assertClose(fast, t.ref.data, { rel: 1e-5 }, `${t.name} vs float64`);
    assertClose(fast, await t.naive.read(), { rel: 1e-5 }, `${t.name} vs naive kernel`);
    t.fast.dispose();
    t.naive.dispose();
  }
}

function hashKind(s: string): number {
  let h = 7;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

describe('fast matmul kernels vs float64 and vs naive (odd shapes, all transposes, batches)', () => {
  for (const kind of FAST) {
    // The vec4 kernel needs N % 4 == 0 (a transposed B is repacked first): give it such N.
    const nValues = kind === 'blocked' ? [4, 12, 36, 68, 132, 20] : ODD;
    it(`${kind}: odd M, N, K`, () => compareKinds(kind, oddCases(nValues)));
    it(`${kind}: batched and broadcast`, () => compareKinds(kind, BATCHED));
  }
});

describe('fast matmul kernels: gradients', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[17, 33], [33, 12], false, false],
    [[33, 17], [13, 33], true, true],
    [[3, 9, 17], [17, 20], false, false],
    [[9, 17], [2, 20, 17], false, true],
  ];
  for (const kind of FAST) {
    for (const [sa, sb, tA, tB] of cases) {
      it(`${kind}: [${sa}]${tA ? 'ᵀ' : ''} · [${sb}]${tB ? 'ᵀ' : ''}`, () =>
        checkOp(`matmul-${kind}-${sa}-${sb}-${tA}-${tB}`, {
          inputs: [{ shape: sa }, { shape: sb }],
          run: (a, b) => matmul(a, b, { transA: tA, transB: tB, kernel: kind }),
          ref: (a, b) => refMatmul(a, b, tA, tB),
          tol: { rel: 1e-5 },
          gradTol: { rel: 2e-3, abs: 1e-5 },
          maxGradChecks: 60,
        }));
    }
  }
});

describe('chooseMatmulKernel', () => {
  const cpu = { isSoftware: true }, gpu = { isSoftware: false };
  it('picks by adapter, size and layout', () => {
    assert.equal(chooseMatmulKernel(cpu, 1024, 1024, 1024).kind, 'blocked');
    assert.equal(chooseMatmulKernel(cpu, 1024, 1022, 1024).kind, 'blocked_any');
    assert.equal(chooseMatmulKernel(cpu, 1024, 1024, 1024, { transB: true }).repackB, true);
    assert.equal(chooseMatmulKernel(cpu, 1024, 1022, 1024, { transB: true }).kind, 'blocked_any');
    assert.equal(chooseMatmulKernel(cpu, 7, 13, 5).kind, 'naive');
    assert.equal(chooseMatmulKernel(gpu, 1024, 1024, 1024).kind, 'tiled');
    assert.equal(chooseMatmulKernel(gpu, 12, 24, 1024).kind, 'blocked');
  });
  it('SEEABLE_NAIVE=1 forces the naive kernel', () => {
    process.env.SEEABLE_NAIVE = '1';
    try {
      assert.equal(chooseMatmulKernel(cpu, 1024, 1024, 1024).kind, 'naive');
    } finally {
      delete process.env.SEEABLE_NAIVE;
    }
  });
});
