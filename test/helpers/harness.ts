// The kernel test harness: fresh random inputs, NaN-poisoned outputs, a float64 CPU reference,
// and numerical gradient checks (central differences of the reference) for every backward.
import assert from 'node:assert/strict';
import '../../src/gpu/node.ts';
import { getGpu, initGpu } from '../../src/gpu/device.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { nd, type Nd } from './nd.ts';

export type { Nd } from './nd.ts';

export async function setupGpu() {
  const gpu = await initGpu({ log: null });
  gpu.poison = true;
  return gpu;
}

/** How inputs are drawn: never zeros or constants. */
export type Dist = 'normal' | 'positive' | 'uniform' | 'away0';
export interface InputSpec {
  shape: number[];
  dist?: Dist;
  /** no gradient check for this input (indices, constants) */
  noGrad?: boolean;
  /** fixed host values (e.g. integer indices) instead of random ones */
  values?: ArrayLike<number>;
  dtype?: 'f32' | 'i32' | 'u32';
}

export interface Tolerance {
  /** allowed |gpu − ref| relative to the reference's max |value| */
  rel: number;
  /** absolute floor */
  abs?: number;
}

export function draw(rng: Rng, n: number, dist: Dist = 'normal'): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    switch (dist) {
      case 'positive': v = rng.uniform(0.2, 2); break;
      case 'uniform': v = rng.uniform(-1, 1); break;
      case 'away0': v = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.2, 2); break;
      default: v = rng.normal();
    }
    out[i] = Math.fround(v); // the GPU sees f32: make the reference see the very same numbers
  }
  return out;
}

/** Assert gpu ≈ ref elementwise relative to ref's scale; NaN or Inf never passes. */
export function assertClose(gpu: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance, what: string): void {
  assert.equal(gpu.length, ref.length, `${what}: length ${gpu.length} ≠ reference ${ref.length}`);
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  const limit = (tol.abs ?? 1e-6) + tol.rel * scale;
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < gpu.length; i++) {
    if (!Number.isFinite(gpu[i])) assert.fail(`${what}: element ${i} is ${gpu[i]} (reference ${ref[i]})`);
    const e = Math.abs(gpu[i] - ref[i]);
    if (e > worst) (worst = e), (worstAt = i);
  }
  assert.ok(
    worst <= limit,
    `${what}: max error ${worst.toExponential(3)} at ${worstAt} (gpu ${gpu[worstAt]}, ref ${ref[worstAt]}) ` +
      `exceeds ${limit.toExponential(3)} (rel ${tol.rel} of scale ${scale.toExponential(3)})`,
  );
}

export interface OpCase {
  inputs: InputSpec[];
  /** the GPU op under test */
  run: (...xs: Tensor[]) => Tensor;
  /** float64 reference */
  ref: (...xs: Nd[]) => Nd;
  tol?: Tolerance;
  gradTol?: Tolerance;
  /** skip the gradient check (ops without a backward) */
  noGrad?: boolean;
  seed?: number;
  /** numeric-check at most this many elements per input (random subset) */
  maxGradChecks?: number;
}

/** Forward vs reference, then every input's gradient of sum(op(x)·r) vs central differences. */
export async function checkOp(name: string, c: OpCase): Promise<void> {
  const rng = new Rng(c.seed ?? hash(name));
  const hosts = c.inputs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    return s.values ? Float64Array.from(s.values) : draw(rng, n, s.dist);
  });
  const refs = hosts.map((h, i) => nd(h, c.inputs[i].shape));
  const expected = c.ref(...refs);
  const wantGrad = !c.noGrad;
  const r = draw(rng, expected.data.length, 'normal');

  const xs = hosts.map((h, i) => {
    const s = c.inputs[i];
    const t = tensor(h, s.shape, s.dtype ?? 'f32');
    return wantGrad && !s.noGrad && (s.dtype ?? 'f32') === 'f32' ? requireGrad(t) : t;
  });
  const out = c.run(...xs);
  assert.deepEqual([...out.shape], expected.shape, `${name}: output shape`);
  assertClose(await out.read(), expected.data, c.tol ?? { rel: 1e-5 }, `${name} forward`);
  if (!wantGrad) {
    out.dispose();
    xs.forEach((x) => x.dispose());
    return;
  }
  const loss = tidy(() => sum(mul(out, tensor(r, expected.shape))));
  loss.backward();
  const loss64 = (args: Nd[]) => {
    const y = c.ref(...args);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * r[i];
    return s;
  };
  for (let i = 0; i < xs.length; i++) {
    if (c.inputs[i].noGrad || (c.inputs[i].dtype ?? 'f32') !== 'f32') continue;
    assert.ok(xs[i].grad, `${name}: input ${i} got no gradient`);
    const g = await xs[i].grad!.read();
    const n = hosts[i].length;
    const max = c.maxGradChecks ?? 400;
    const picks = n <= max ? [...Array(n).keys()] : rng.shuffle([...Array(n).keys()]).slice(0, max);
    const numeric: number[] = [];
    const analytic: number[] = [];
    for (const j of picks) {
      const h = 1e-6 * Math.max(1, Math.abs(hosts[i][j]));
      const plus = refs.map((x) => ({ data: Float64Array.from(x.data), shape: x.shape }));
      const minus = refs.map((x) => ({ data: Float64Array.from(x.data), shape: x.shape }));
      plus[i].data[j] += h;
      minus[i].data[j] -= h;
      numeric.push((loss64(plus) - loss64(minus)) / (2 * h));
      analytic.push(g[j]);
    }
    assertClose(analytic, numeric, c.gradTol ?? { rel: 1e-3, abs: 1e-5 }, `${name} grad of input ${i}`);
  }
  loss.dispose();
  out.dispose();
  xs.forEach((x) => x.dispose());
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export { getGpu };
