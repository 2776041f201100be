// The one place that picks how a per-plane reduction runs (global average pool, the channel-scale
// gradient Σ gy·x, batch-norm statistics): a workgroup per plane (tree reduction through workgroup
// memory) or a thread per (plane, chunk) with no barrier at all.
import { getGpu } from '../gpu/device.ts';

export type PlanePath = 'rows' | 'workgroup';

/**
 * On lavapipe a workgroup's invocations are CPU coroutines and each barrier switches all of them,
 * while parallelism is per workgroup: the tree reduction (7 barriers) costs far more than the sum
 * itself, worst on EfficientNet's many tiny late-stage planes. Measured on lavapipe, GPU time per
 * EfficientNet-B0 fwd+bwd step (16×3×64×64), workgroup → rows: global average pool 454 → 7 ms,
 * channel-scale gradient 510 → 15 ms, batch-norm partial sums 592–1028 → 94 ms. So CPU adapters
 * always take 'rows'.
 * Real GPUs keep the workgroup path (it spreads a long plane over 64 lanes) except for values
 * per reduction (`len`: a plane's H·W; N·H·W for batch norm) below GPU_ROWS_MAX_LEN, where most of
 * the 64 lanes would idle through 6 barriers while one thread sums the lot in fewer steps. The GPU
 * threshold is reasoned, not yet measured.
 */
export const GPU_ROWS_MAX_LEN = 32;

export function choosePlanePath(len: number, isSoftware = getGpu().adapter.isSoftware): PlanePath {
  return isSoftware || len < GPU_ROWS_MAX_LEN ? 'rows' : 'workgroup';
}

/** Thread-per-row split: enough (row, chunk) threads to fill a CPU (target; lavapipe spreads
 *  workgroups of 64 over its threads), but no chunk shorter than minChunk (then the second pass
 *  would cost more than it spreads). Also sizes batch norm's partials (batchnorm.ts rowPartitions). */
export const ROW_SPLIT = { target: 512, minChunk: 256 };

/**
 * Chunks per row for `rows` rows of `len` values: chunk is a multiple of 4 when `len` is (so the
 * vec4 kernels stay aligned). nchunk > 1 means a second pass sums the [rows, nchunk] partials.
 */
export function rowChunks(rows: number, len: number): { chunk: number; nchunk: number } {
  const want = Math.ceil(ROW_SPLIT.target / Math.max(rows, 1));
  let nchunk = Math.max(1, Math.min(want, Math.floor(len / ROW_SPLIT.minChunk)));
  let chunk = Math.ceil(len / nchunk);
  if (len % 4 === 0) chunk = Math.ceil(chunk / 4) * 4;
  nchunk = Math.max(1, Math.ceil(len / Math.max(chunk, 1)));
  return { chunk: Math.max(chunk, 1), nchunk };
}
