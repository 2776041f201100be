import { before, describe, it } from 'node:test';
import { unary, type UnaryOp } from '../../src/ops/unary.ts';
import { checkOp, setupGpu, type Dist } from '../helpers/harness.ts';
import { map1 } from '../helpers/nd.ts';

before(setupGpu);

const sig = (x: number) => 1 / (1 + Math.exp(-x));
// [reference, input distribution (off kinks and outside domains), forward tolerance]
const cases: Record<string, [(x: number) => number, Dist, number]> = {
  exp: [Math.exp, 'normal', 2e-6],
  log: [Math.log, 'positive', 2e-6],
  sqrt: [Math.sqrt, 'positive', 2e-6],
  relu: [(x) => Math.max(x, 0), 'away0', 1e-7],
  sigmoid: [sig, 'normal', 2e-6],
  silu: [(x) => x * sig(x), 'normal', 2e-6],
  tanh: [Math.tanh, 'normal', 2e-6],
  neg: [(x) => -x, 'normal', 1e-7],
  abs: [Math.abs, 'away0', 1e-7],
  square: [(x) => x * x, 'normal', 1e-6],
  rsqrt: [(x) => 1 / Math.sqrt(x), 'positive', 2e-6],
  reciprocal: [(x) => 1 / x, 'away0', 2e-6],
};

describe('unary ops vs float64', () => {
  for (const [name, [f, dist, tol]] of Object.entries(cases)) {
    it(name, async () => {
      await checkOp(`unary-${name}`, {
        inputs: [{ shape: [3, 7, 29], dist }],
        run: (x) => unary(name as UnaryOp, x),
        ref: (x) => map1(x, f),
        tol: { rel: tol },
        gradTol: { rel: 2e-3, abs: 1e-5 },
        maxGradChecks: 150,
      });
    });
  }
  it('leaky relu with a slope', async () => {
    await checkOp('leaky', {
      inputs: [{ shape: [301], dist: 'away0' }],
      run: (x) => unary('leakyRelu', x, 0.1),
      ref: (x) => map1(x, (v) => (v > 0 ? v : Math.fround(0.1) * v)),
    });
  });
  it('sigmoid saturates without overflow at ±100', async () => {
    await checkOp('sigmoid-extreme', {
      inputs: [{ shape: [6], values: [-100, -30, -1, 1, 30, 100] }],
      run: (x) => unary('sigmoid', x),
      ref: (x) => map1(x, sig),
      tol: { rel: 1e-6 },
      noGrad: true,
    });
  });
});
