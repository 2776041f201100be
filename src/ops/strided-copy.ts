// The host side of kernels/permute.wgsl: copy a strided region of one buffer into a strided
// region of another. permute, slice, concat and expand are all this one move with different strides.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { MAX_RANK } from './shape-utils.ts';

const PARAMS = [
  ['n', 'u32'], ['soff', 'u32'], ['doff', 'u32'],
  ['d0', 'u32'], ['d1', 'u32'], ['d2', 'u32'], ['d3', 'u32'], ['d4', 'u32'], ['d5', 'u32'],
  ['ss0', 'u32'], ['ss1', 'u32'], ['ss2', 'u32'], ['ss3', 'u32'], ['ss4', 'u32'], ['ss5', 'u32'],
  ['ds0', 'u32'], ['ds1', 'u32'], ['ds2', 'u32'], ['ds3', 'u32'], ['ds4', 'u32'], ['ds5', 'u32'],
] as const;
const K_NAIVE = defineKernel({ file: 'permute', entry: 'copy_strided', params: PARAMS, reads: 1, writes: 1, workgroupSize: 256 });
const K_RUNS = defineKernel({ file: 'permute', entry: 'copy_strided_runs', params: PARAMS, reads: 1, writes: 1, workgroupSize: 256 });

/** Elements per invocation along the innermost dim in copy_strided_runs. */
const RUN_V = 4;

function envFlag(name: string): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.[name];
  return v !== undefined && v !== '' && v !== '0';
}

/** How strided copies run. `naive` forces the v1 reference kernel (also SEEABLE_NAIVE=1).
 *  Contiguous runs at least `copyEngineMinRun` elements long, `copyEngineMaxRuns` of them at most,
 *  go to the copy engine (copyBufferToBuffer: a memcpy on CPU adapters, a DMA on GPUs) instead of
 *  a kernel; below that the per-copy overhead outweighs it. Tests lower the threshold to reach it. */
export const stridedCopyConfig = {
  naive: envFlag('SEEABLE_NAIVE'),
  copyEngineMinRun: 16384,
  copyEngineMaxRuns: 64,
};

/** One side of a copy: where in the buffer it starts and how far each region dim steps. */
export interface StridedSide {
  offset: number;
  strides: readonly number[];
}

interface Dim {
  d: number;
  ss: number;
  ds: number;
}

/** Drop size-1 dims and merge neighbours that are contiguous on both sides (fewer div/mods per element,
 *  and a contiguous-to-contiguous copy becomes one rank-1 run that the copy engine can take). */
export function coalesce(dims: readonly number[], ss: readonly number[], ds: readonly number[]): Dim[] {
  const out: Dim[] = []; // innermost first while building
  for (let i = dims.length - 1; i >= 0; i--) {
    if (dims[i] === 1) continue;
    const inner = out[out.length - 1];
    if (inner && ss[i] === inner.ss * inner.d && ds[i] === inner.ds * inner.d) inner.d *= dims[i];
    else out.push({ d: dims[i], ss: ss[i], ds: ds[i] });
  }
  return out.reverse();
}

/** dst[dst.offset + Σ c·dst.strides] = src[src.offset + Σ c·src.strides] over the region `dims`. */
export function copyStrided(src: Tensor, from: StridedSide, dst: Tensor, to: StridedSide, dims: readonly number[]): void {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const gpu = getGpu();
  const region = coalesce(dims, from.strides, to.strides);
  if (region.length === 0 || (region.length === 1 && region[0].ss === 1 && region[0].ds === 1)) {
    gpu.copy(src.buffer, from.offset * 4, dst.buffer, to.offset * 4, n * 4);
    return;
  }
  if (region.length > MAX_RANK) {
    throw new Error(`strided copy: the region needs rank ${region.length} after merging dims; at most ${MAX_RANK} is supported`);
  }
  const inner = region[region.length - 1];
  const runs = n / inner.d;
  const cfg = stridedCopyConfig;
  if (!cfg.naive && inner.ss === 1 && inner.ds === 1 && inner.d >= cfg.copyEngineMinRun && runs <= cfg.copyEngineMaxRuns) {
    copyRuns(src, from.offset, dst, to.offset, region);
    return;
  }
  const params: Record<string, number> = { n, soff: from.offset, doff: to.offset };
  const lead = MAX_RANK - region.length;
  for (let k = 0; k < MAX_RANK; k++) {
    const r = region[k - lead];
    params[`d${k}`] = r ? r.d : 1;
    params[`ss${k}`] = r ? r.ss : 0;
    params[`ds${k}`] = r ? r.ds : 0;
  }
  if (stridedCopyConfig.naive) {
    gpu.dispatch(K_NAIVE, [src.buffer, dst.buffer], params, n);
    return;
  }
  params.n = runs * Math.ceil(inner.d / RUN_V);
  gpu.dispatch(K_RUNS, [src.buffer, dst.buffer], params, params.n, { RANK: region.length, V: RUN_V });
}

/** One copyBufferToBuffer per contiguous innermost run. */
function copyRuns(src: Tensor, soff: number, dst: Tensor, doff: number, region: Dim[]): void {
  const gpu = getGpu();
  const outer = region.slice(0, -1);
  const len = region[region.length - 1].d;
  const runs = outer.reduce((a, r) => a * r.d, 1);
  for (let t = 0; t < runs; t++) {
    let rest = t;
    let s = soff;
    let d = doff;
    for (let k = outer.length - 1; k >= 0; k--) {
      const c = rest % outer[k].d;
      rest = Math.floor(rest / outer[k].d);
      s += c * outer[k].ss;
      d += c * outer[k].ds;
    }
    gpu.copy(src.buffer, s * 4, dst.buffer, d * 4, len * 4);
  }
}
