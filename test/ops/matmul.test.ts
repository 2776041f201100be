import { before, describe, it } from 'node:test';
import { matmul } from '../../src/ops/matmul.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

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
