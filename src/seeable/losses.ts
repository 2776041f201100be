// SeeABLE's training losses as fused WGSL kernels (kernels/contrastive*.wgsl), each a mean over
// the anchors of the batch with its backward:
//   bcrLoss      — bounded contrastive regression: SupCon + prototype regression (spec §S, default)
//                  or the official code's form with the prototype in place of the self term (§5.1);
//   guidanceLoss — L_GUI = mean_i G(ŷ_i, y_i)·(1 − z_i·p_{y_i}), ŷ_i the nearest prototype (§S).
// z must already be L2-normalised (l2Normalize), whose own backward carries the gradient to h.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { binaryRaw } from '../ops/elementwise.ts';
import { reduceRaw } from '../ops/reduce.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { LocationScheme } from './locations.ts';

const ROW_PARAMS = [['N', 'u32'], ['K', 'u32'], ['D', 'u32'], ['tau', 'f32']] as const;
const K_BCR = defineKernel({ file: 'contrastive', entry: 'bcr_rows', params: ROW_PARAMS, reads: 4, writes: 3, workgroupSize: 64 });
const K_GUI = defineKernel({ file: 'contrastive', entry: 'guidance_rows', params: ROW_PARAMS, reads: 4, writes: 3, workgroupSize: 64 });
const K_GRAD = defineKernel({
  file: 'contrastive_grad', entry: 'main', params: [['N', 'u32'], ['K', 'u32'], ['D', 'u32'], ['weight', 'f32']],
  reads: 5, writes: 1, workgroupSize: 64,
});

export type BcrForm = 'spec' | 'code';

function checkInputs(op: string, z: Tensor, labels: Tensor, protos: Tensor): { N: number; K: number; D: number } {
  if (z.rank !== 2 || protos.rank !== 2 || z.shape[1] !== protos.shape[1]) {
    throw new Error(`${op}: z [N, D] and prototypes [K, D] must share D; got [${z.shape}] and [${protos.shape}]`);
  }
  if (labels.dtype === 'f32' || labels.size !== z.shape[0]) {
    throw new Error(`${op}: labels must be ${z.shape[0]} integers (i32/u32), got ${labels.dtype} [${labels.shape}]`);
  }
  return { N: z.shape[0], K: protos.shape[0], D: z.shape[1] };
}

function rowLoss(op: string, k: typeof K_BCR, z: Tensor, labels: Tensor, protos: Tensor, table: Tensor, tau: number, mode: number): Tensor {
  const { N, K, D } = checkInputs(op, z, labels, protos);
  if (N < 1) throw new Error(`${op}: empty batch`);
  const gpu = getGpu();
  const perAnchor = Tensor.empty([N]);
  const gz = Tensor.empty([N, N]);
  const gp = Tensor.empty([N, K]);
  gpu.dispatch(k, [z.buffer, labels.buffer, protos.buffer, table.buffer, perAnchor.buffer, gz.buffer, gp.buffer],
    { N, K, D, tau }, N, { MODE: mode });
  const total = reduceRaw('sum', perAnchor, [0]);
  const scalarTotal = total.view([]);
  const out = binaryRaw('mul', scalarTotal, 1 / N);
  scalarTotal.dispose();
  total.dispose();
  perAnchor.dispose();
  if (needsGrad(z)) {
    record(op, out, [z], [z, protos, gz, gp], (g) => {
      const dz = Tensor.empty([N, D]);
      gpu.dispatch(K_GRAD, [z.buffer, protos.buffer, gz.buffer, gp.buffer, g.buffer, dz.buffer], { N, K, D, weight: 1 / N }, N * D);
      return [dz];
    });
  }
  gz.dispose();
  gp.dispose();
  return out;
}

/** Bounded contrastive regression, mean over the N anchors. τ = 0.07 as the official config. */
export function bcrLoss(z: Tensor, labels: Tensor, prototypes: Tensor, opts: { tau?: number; form?: BcrForm } = {}): Tensor {
  return rowLoss('bcrLoss', K_BCR, z, labels, prototypes, prototypes, opts.tau ?? 0.07, opts.form === 'code' ? 1 : 0);
}

/** Guidance loss of section S; `table` is guidanceTable(...) uploaded as a [K, K] f32 tensor. */
export function guidanceLoss(z: Tensor, labels: Tensor, prototypes: Tensor, table: Tensor): Tensor {
  const K = prototypes.shape[0];
  if (table.size !== K * K) throw new Error(`guidanceLoss: the G table must be [${K}, ${K}], got [${table.shape}]`);
  return rowLoss('guidanceLoss', K_GUI, z, labels, prototypes, table, 1, 0);
}

/**
 * G(y, ỹ) of section S for every (answer y, truth ỹ) pair of classes k = loc·N_type + type:
 * 2⁻² when the locations agree, 2⁻¹ when y's location is the mirror of ỹ's, else the graph
 * distance between the locations (2⁰·d_graph). Row = the model's answer, column = the truth.
 * With `pristine` the table is (K + 1)² and class K is the unaltered face, which has no location:
 * 2⁻² when answer and truth are both pristine, else 1 (one step from every cell; [OURS]).
 */
export function guidanceTable(scheme: LocationScheme, nTypes: number, pristine = false): Float32Array {
  const K = scheme.count * nTypes;
  const P = pristine ? K + 1 : K;
  const g = new Float32Array(P * P);
  for (let y = 0; y < P; y++) {
    for (let t = 0; t < P; t++) {
      const ly = Math.floor(y / nTypes);
      const lt = Math.floor(t / nTypes);
      if (y === K || t === K) g[y * P + t] = y === t ? 0.25 : 1;
      else g[y * P + t] = ly === lt ? 0.25 : scheme.mirror(ly) === lt ? 0.5 : scheme.distance(ly, lt);
    }
  }
  return g;
}
