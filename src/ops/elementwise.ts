// Binary elementwise ops with NumPy broadcasting and scalars: add, sub, mul, div, maximum, minimum, pow.
// Each forward is followed by its backward; broadcast gradients are summed back to the input shape.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { sameShape, Tensor } from '../tensor/tensor.ts';
import { broadcastShapes, broadcastStrides, fmt, padLeft } from './shape-utils.ts';
import { sumToShape } from './reduce.ts';
import { unary } from './unary.ts';

const PARAMS = [
  ['n', 'u32'], ['rank', 'u32'], ['scalar', 'f32'], ['reversed', 'u32'],
  ['d0', 'u32'], ['d1', 'u32'], ['d2', 'u32'], ['d3', 'u32'], ['d4', 'u32'], ['d5', 'u32'],
  ['sa0', 'u32'], ['sa1', 'u32'], ['sa2', 'u32'], ['sa3', 'u32'], ['sa4', 'u32'], ['sa5', 'u32'],
  ['sb0', 'u32'], ['sb1', 'u32'], ['sb2', 'u32'], ['sb3', 'u32'], ['sb4', 'u32'], ['sb5', 'u32'],
] as const;
const k = (entry: string) => defineKernel({ file: 'elementwise', entry, params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_SAME = k('binary');
const K_BCAST = k('binary_bcast');
const K_SCALAR = k('binary_scalar');

const OPS = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6 } as const;
type BinaryOp = keyof typeof OPS;

const ZERO_PARAMS: Record<string, number> = Object.fromEntries(PARAMS.map(([n]) => [n, 0]));

function checkF32(t: Tensor, op: string): void {
  if (t.dtype !== 'f32') throw new Error(`${op}: expects f32 tensors, got ${t.dtype} ${fmt(t.shape)}`);
}

/** Forward only: out = a ∘ b (either may be a number). */
export function binaryRaw(op: BinaryOp, a: Tensor | number, b: Tensor | number): Tensor {
  const gpu = getGpu();
  const code = { OP: OPS[op] };
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${op}: at least one tensor is needed`);
  if (typeof a === 'number' || typeof b === 'number') {
    const t = (typeof a === 'number' ? b : a) as Tensor;
    checkF32(t, op);
    const out = Tensor.empty(t.shape);
    if (out.size === 0) return out;
    const s = (typeof a === 'number' ? a : b) as number;
    gpu.dispatch(K_SCALAR, [t.buffer, t.buffer, out.buffer],
      { ...ZERO_PARAMS, n: out.size, scalar: s, reversed: typeof a === 'number' ? 1 : 0 }, out.size, code);
    return out;
  }
  checkF32(a, op);
  checkF32(b, op);
  if (sameShape(a.shape, b.shape)) {
    const out = Tensor.empty(a.shape);
    if (out.size > 0) gpu.dispatch(K_SAME, [a.buffer, b.buffer, out.buffer], { ...ZERO_PARAMS, n: out.size }, out.size, code);
    return out;
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  const d = padLeft(shape, 1);
  const sa = padLeft(broadcastStrides(a.shape, shape), 0);
  const sb = padLeft(broadcastStrides(b.shape, shape), 0);
  const params: Record<string, number> = { ...ZERO_PARAMS, n: out.size, rank: shape.length };
  for (let i = 0; i < 6; i++) {
    params[`d${i}`] = d[i];
    params[`sa${i}`] = sa[i];
    params[`sb${i}`] = sb[i];
  }
  gpu.dispatch(K_BCAST, [a.buffer, b.buffer, out.buffer], params, out.size, code);
  return out;
}

const asTensors = (...xs: (Tensor | number)[]) => xs.filter((x): x is Tensor => x instanceof Tensor);

/** Map each operand's gradient; scalars get none. */
function grads(a: Tensor | number, b: Tensor | number, ga: () => Tensor, gb: () => Tensor): (Tensor | null)[] {
  const out: (Tensor | null)[] = [];
  if (a instanceof Tensor) out.push(a.requiresGrad ? sumToShape(ga(), a.shape) : null);
  if (b instanceof Tensor) out.push(b.requiresGrad ? sumToShape(gb(), b.shape) : null);
  return out;
}

export function add(a: Tensor | number, b: Tensor | number): Tensor {
  const out = binaryRaw('add', a, b);
  record('add', out, asTensors(a, b), [], (g) => grads(a, b, () => g.view(g.shape), () => g.view(g.shape)));
  return out;
}

export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  const out = binaryRaw('sub', a, b);
  record('sub', out, asTensors(a, b), [], (g) => grads(a, b, () => g.view(g.shape), () => unary('neg', g)));
  return out;
}

export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  const out = binaryRaw('mul', a, b);
  if (needsGrad(a, b)) {
    record('mul', out, asTensors(a, b), asTensors(a, b), (g) =>
      grads(a, b, () => binaryRaw('mul', g, b), () => binaryRaw('mul', g, a)));
  }
  return out;
}

export function div(a: Tensor | number, b: Tensor | number): Tensor {
  const out = binaryRaw('div', a, b);
  if (needsGrad(a, b)) {
    // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
    record('div', out, asTensors(a, b), [...asTensors(b), out], (g) =>
      grads(a, b, () => binaryRaw('div', g, b), () => unary('neg', binaryRaw('div', binaryRaw('mul', g, out), b))));
  }
  return out;
}

/** max/min: the gradient goes to the chosen operand (to `a` on ties). */
function extremum(op: 'maximum' | 'minimum', a: Tensor | number, b: Tensor | number): Tensor {
  const out = binaryRaw(op, a, b);
  if (needsGrad(a, b)) {
    record(op, out, asTensors(a, b), [...asTensors(a, b), out], (g) => {
      const maskA = unary('eqz', binaryRaw('sub', a, out)); // 1 where a was chosen
      return grads(a, b, () => binaryRaw('mul', g, maskA), () => binaryRaw('mul', g, binaryRaw('sub', 1, maskA)));
    });
  }
  return out;
}

export const maximum = (a: Tensor | number, b: Tensor | number) => extremum('maximum', a, b);
export const minimum = (a: Tensor | number, b: Tensor | number) => extremum('minimum', a, b);

/** a ** e for a scalar exponent. */
export function powScalar(a: Tensor, e: number): Tensor {
  const out = binaryRaw('pow', a, e);
  if (needsGrad(a)) {
    record('pow', out, [a], [a], (g) => [binaryRaw('mul', g, binaryRaw('mul', binaryRaw('pow', a, e - 1), e))]);
  }
  return out;
}
