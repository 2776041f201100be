import { before, describe, it } from 'node:test';
import { max, mean, min, sum } from '../../src/ops/reduce.ts';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor/create.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import { assertClose, checkOp, setupGpu } from '../helpers/harness.ts';
import { reduceAxes, type Nd } from '../helpers/nd.ts';

before(setupGpu);

const squeeze = (r: Nd, axes: number[], keep: boolean): Nd =>
  keep ? r : { data: r.data, shape: r.shape.filter((_, i) => !axes.includes(i)) };
const norm = (axes: number[] | undefined, rank: number) =>
  (axes ?? [...Array(rank).keys()]).map((a) => (a < 0 ? a + rank : a)).sort();

const cases: [number[], number[] | undefined, boolean][] = [
  [[5, 7, 9], [1], false],
  [[5, 7, 9], [0, 2], true],
  [[5, 7, 9], [-1], false],
  [[5, 7, 9], undefined, false],
  [[3, 4, 5, 6], [1, 2], false],
  [[3, 4, 5, 6], [0, 3], true],
  [[1, 5003], [1], false], // a long axis with one output: split into chunks, two passes
  [[7, 3001, 3], [1], true],
  // inner % 4 == 0 takes reduce_mid4 (vec4 over 4 adjacent outputs): a batch sum, and a long axis
  // with a chunked second pass.
  [[6, 8, 12], [0], false],
  [[3, 2001, 4], [1], false],
];

describe('reductions vs float64', () => {
  for (const [shape, axes, keep] of cases) {
    const ax = norm(axes, shape.length);
    const tag = `[${shape}] axes ${axes ?? 'all'}${keep ? ' keepdims' : ''}`;
    it(`sum ${tag}`, async () => {
      await checkOp(`sum-${tag}`, {
        inputs: [{ shape }],
        run: (x) => sum(x, axes, keep),
        ref: (x) => squeeze(reduceAxes(x, ax, (a, v) => a + v, 0), ax, keep),
        tol: { rel: 1e-5 },
        maxGradChecks: 60,
      });
    });
    it(`mean ${tag}`, async () => {
      const count = ax.reduce((n, a) => n * shape[a], 1);
      await checkOp(`mean-${tag}`, {
        inputs: [{ shape }],
        run: (x) => mean(x, axes, keep),
        ref: (x) => {
          const r = reduceAxes(x, ax, (a, v) => a + v, 0);
          return squeeze({ data: r.data.map((v) => v / count), shape: r.shape }, ax, keep);
        },
        tol: { rel: 1e-5 },
        maxGradChecks: 60,
      });
    });
    it(`max and min ${tag}`, async () => {
      await checkOp(`max-${tag}`, {
        inputs: [{ shape }],
        run: (x) => max(x, axes, keep),
        ref: (x) => squeeze(reduceAxes(x, ax, Math.max, -Infinity), ax, keep),
        tol: { rel: 0 },
        maxGradChecks: 60,
      });
      await checkOp(`min-${tag}`, {
        inputs: [{ shape }],
        run: (x) => min(x, axes, keep),
        ref: (x) => squeeze(reduceAxes(x, ax, Math.min, Infinity), ax, keep),
        tol: { rel: 0 },
        maxGradChecks: 60,
      });
    });
  }
  it('max shares the gradient equally among ties', async () => {
    // Central differences see one-sided kinks at a tie, so check the subgradient directly.
    const x = requireGrad(tensor([1, 3, 3, 2, 5, 5, 5, -1], [2, 4]));
    const m = max(x, 1);
    assert.deepEqual([...(await m.read())], [3, 5]);
    tidy(() => sum(m)).backward();
    assertClose(await x.grad!.read(), [0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3, 0], { rel: 1e-6 }, 'tie grad');
  });
});
