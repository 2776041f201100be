// One computation run by the Node engine and by the browser bundle of the same code; the test
// compares the numbers. It takes the engine namespace so that each side passes its own import.
import type * as Engine from '../../src/index.ts';

export async function engineSmoke(E: typeof Engine): Promise<Record<string, number[]>> {
  const rng = new E.Rng(42);
  const data = (n: number) => Array.from({ length: n }, () => rng.normal());
  const a = E.requireGrad(E.tensor(data(7 * 13), [7, 13]));
  const w = E.requireGrad(E.tensor(data(13 * 5), [13, 5]));
  const b = E.requireGrad(E.tensor(data(5), [5]));
  const h = E.tidy(() => E.silu(E.add(E.matmul(a, w), b)));
  const loss = E.tidy(() => E.sum(E.mul(E.exp(E.mul(h, 0.1)), h)));
  loss.backward();
  const out = {
    h: [...(await h.read())],
    loss: [await loss.item()],
    gradA: [...(await a.grad!.read())],
    gradW: [...(await w.grad!.read())],
    gradB: [...(await b.grad!.read())],
    rowMax: [...(await E.max(h, 1).read())],
  };
  return out;
}
