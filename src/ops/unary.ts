// Unary elementwise ops: forward y = f(x) and backward gx = gy · f'(x) (kernels/unary.wgsl).
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [['n', 'u32'], ['alpha', 'f32']] as const;
const K_FWD = defineKernel({ file: 'unary', entry: 'forward', params: PARAMS, reads: 1, writes: 1, workgroupSize: 256 });
const K_BWD = defineKernel({ file: 'unary', entry: 'backward', params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });

export const UNARY_OPS = {
  exp: 0, log: 1, sqrt: 2, relu: 3, sigmoid: 4, silu: 5, tanh: 6, leakyRelu: 7,
  neg: 8, abs: 9, square: 10, rsqrt: 11, reciprocal: 12, eqz: 13, sign: 14,
} as const;
export type UnaryOp = keyof typeof UNARY_OPS;

function run(op: UnaryOp, x: Tensor, alpha: number): Tensor {
  if (x.dtype !== 'f32') throw new Error(`${op}: expects an f32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  const y = Tensor.empty(x.shape);
  if (y.size > 0) getGpu().dispatch(K_FWD, [x.buffer, y.buffer], { n: y.size, alpha }, y.size, { OP: UNARY_OPS[op] });
  return y;
}

/** gx = gy · f'(x), the backward of `op` on its own (also used by fused layers). */
export function unaryBackward(op: UnaryOp, x: Tensor, gy: Tensor, alpha = 0): Tensor {
  const gx = Tensor.empty(x.shape);
  if (gx.size > 0) {
    getGpu().dispatch(K_BWD, [x.buffer, gy.buffer, gx.buffer], { n: gx.size, alpha }, gx.size, { OP: UNARY_OPS[op] });
  }
  return gx;
}

export function unary(op: UnaryOp, x: Tensor, alpha = 0): Tensor {
  const y = run(op, x, alpha);
  if (needsGrad(x)) record(op, y, [x], [x], (g) => [unaryBackward(op, x, g, alpha)]);
  return y;
}

export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const relu = (x: Tensor) => unary('relu', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const silu = (x: Tensor) => unary('silu', x);
export const swish = silu;
export const tanh = (x: Tensor) => unary('tanh', x);
export const leakyRelu = (x: Tensor, slope = 0.01) => unary('leakyRelu', x, slope);
export const neg = (x: Tensor) => unary('neg', x);
export const abs = (x: Tensor) => unary('abs', x);
export const square = (x: Tensor) => unary('square', x);
export const rsqrt = (x: Tensor) => unary('rsqrt', x);
export const reciprocal = (x: Tensor) => unary('reciprocal', x);
