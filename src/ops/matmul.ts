// Batched matmul with transposes and batch broadcasting, and its backward.
// C[..., M, N] = opA(A)[..., M, K] · opB(B)[..., K, N]. The kernel choice lives in chooseMatmulKernel().
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { sumToShape } from './reduce.ts';
import { fmt } from './shape-utils.ts';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

const PARAMS = [
  ['M', 'u32'], ['N', 'u32'], ['K', 'u32'], ['batch', 'u32'],
  ['strideA', 'u32'], ['strideB', 'u32'], ['transA', 'u32'], ['transB', 'u32'],
] as const;
export const MATMUL_NAIVE = defineKernel({ file: 'matmul_naive', entry: 'main', params: PARAMS, reads: 2, writes: 1, workgroupSize: 8 });

interface Plan {
  M: number; N: number; K: number; batch: number;
  strideA: number; strideB: number; outShape: number[];
}

function plan(a: Tensor, b: Tensor, o: MatmulOptions): Plan {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands need rank ≥ 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new Error('matmul: expects f32 tensors');
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const M = o.transA ? ac : ar;
  const K = o.transA ? ar : ac;
  const Kb = o.transB ? bc : br;
  const N = o.transB ? br : bc;
  if (K !== Kb) {
    throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)}${o.transA ? 'ᵀ' : ''} · ${fmt(b.shape)}${o.transB ? 'ᵀ' : ''}`);
  }
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const na = ba.reduce((x, y) => x * y, 1);
  const nb = bb.reduce((x, y) => x * y, 1);
  let batchShape: number[];
  if (na === nb && ba.length === bb.length && ba.every((d, i) => d === bb[i])) batchShape = [...ba];
  else if (na === 1) batchShape = [...bb];
  else if (nb === 1) batchShape = [...ba];
  else throw new Error(`matmul: batch dims ${fmt(ba)} and ${fmt(bb)} differ (only equal or one-sided batches broadcast)`);
  const batch = batchShape.reduce((x, y) => x * y, 1);
  return {
    M, N, K, batch,
    strideA: na === 1 ? 0 : M * K,
    strideB: nb === 1 ? 0 : K * N,
    outShape: [...batchShape, M, N],
  };
}

/** Forward only. */
export function matmulRaw(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const p = plan(a, b, o);
  const out = Tensor.empty(p.outShape);
  if (out.size === 0) return out;
  if (p.K === 0) {
    getGpu().clear(out.buffer);
    return out;
  }
  getGpu().dispatch(
    MATMUL_NAIVE,
    [a.buffer, b.buffer, out.buffer],
    { M: p.M, N: p.N, K: p.K, batch: p.batch, strideA: p.strideA, strideB: p.strideB, transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0 },
    [Math.ceil(p.N / 8), Math.ceil(p.M / 8), p.batch],
  );
  return out;
}

export function matmul(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const out = matmulRaw(a, b, o);
  if (needsGrad(a, b)) {
    const tA = !!o.transA;
    const tB = !!o.transB;
    record('matmul', out, [a, b], [a, b], (g) => [
      a.requiresGrad
        ? sumToShape(tA ? matmulRaw(b, g, { transA: tB, transB: true }) : matmulRaw(g, b, { transB: !tB }), a.shape)
        : null,
      b.requiresGrad
        ? sumToShape(tB ? matmulRaw(g, a, { transA: true, transB: tA }) : matmulRaw(a, g, { transA: !tA }), b.shape)
        : null,
    ]);
  }
  return out;
}
