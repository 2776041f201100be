import { before, describe, it } from 'node:test';
import { add, div, maximum, minimum, mul, powScalar, sub } from '../../src/ops/elementwise.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import { map1, map2 } from '../helpers/nd.ts';

before(setupGpu);

const ops = {
  add: [add, (x: number, y: number) => x + y],
  sub: [sub, (x: number, y: number) => x - y],
  mul: [mul, (x: number, y: number) => x * y],
  div: [div, (x: number, y: number) => x / y],
  maximum: [maximum, Math.max],
  minimum: [minimum, Math.min],
} as const;

// Odd sizes that do not divide the 256-wide workgroup; broadcasting on either side and both.
const shapes: [number[], number[]][] = [
  [[3, 5, 7], [3, 5, 7]],
  [[37, 29], [29]],
  [[4, 1, 6], [1, 5, 1]],
  [[1], [2, 3, 5]],
  [[300, 7], [300, 1]],
  [[2, 1, 3, 1, 5, 2], [3, 4, 1, 2]],
];

describe('binary elementwise ops vs float64', () => {
  for (const [name, [op, f]] of Object.entries(ops)) {
    for (const [sa, sb] of shapes) {
      it(`${name} [${sa}] ∘ [${sb}]`, async () => {
        await checkOp(`${name}-${sa}-${sb}`, {
          inputs: [{ shape: sa, dist: name === 'div' ? 'normal' : 'normal' }, { shape: sb, dist: name === 'div' ? 'away0' : 'normal' }],
          run: (a, b) => op(a, b),
          ref: (a, b) => map2(a, b, f),
          tol: { rel: 2e-6 },
          gradTol: { rel: 2e-3, abs: 1e-5 },
        });
      });
    }
    it(`${name} with a scalar on either side`, async () => {
      await checkOp(`${name}-scalar-right`, {
        inputs: [{ shape: [5, 13], dist: 'away0' }],
        run: (a) => op(a, 1.75),
        ref: (a) => map1(a, (x) => f(x, Math.fround(1.75))),
      });
      await checkOp(`${name}-scalar-left`, {
        inputs: [{ shape: [5, 13], dist: 'away0' }],
        run: (a) => op(-0.625, a),
        ref: (a) => map1(a, (x) => f(-0.625, x)),
      });
    });
  }
  it('pow with a scalar exponent', async () => {
    for (const e of [2, 3, 0.5, -1.5]) {
      await checkOp(`pow-${e}`, {
        inputs: [{ shape: [7, 11], dist: 'positive' }],
        run: (a) => powScalar(a, e),
        ref: (a) => map1(a, (x) => x ** e),
        tol: { rel: 1e-5 },
      });
    }
  });
  it('mul(x, x) accumulates both paths into one gradient', async () => {
    await checkOp('mul-self', {
      inputs: [{ shape: [9, 3] }],
      run: (a) => mul(a, a),
      ref: (a) => map1(a, (x) => x * x),
    });
  });
  it('a large 1-D op folds its grid past 65,535 workgroups', async () => {
    await checkOp('add-large', {
      inputs: [{ shape: [65536 * 256 + 17] }, { shape: [1] }],
      run: (a, b) => add(a, b),
      ref: (a, b) => map1(a, (x) => x + b.data[0]),
      noGrad: true,
    });
  });
});
