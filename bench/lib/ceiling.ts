// The adapter's practical peak, for "% of ceiling". On this project's CPU-only machines (2 cores, AVX2,
// lavapipe) the best f32 matmul we have measured on the CPU is onnxruntime-web WASM (SIMD, threads):
// 27 GFLOP/s (TOOLCHAIN.md). Override with --ceiling=<GFLOP/s> or SEEABLE_BENCH_CEILING=<GFLOP/s>;
// hardware GPUs have no default (we report no % rather than a guess).
import type { AdapterSummary } from '../../src/gpu/device.ts';

export const SOFTWARE_CEILING_GFLOPS = 27;

export function gflopsCeiling(adapter: AdapterSummary, override?: number): number | null {
  const env = process.env.SEEABLE_BENCH_CEILING;
  if (override !== undefined && Number.isFinite(override)) return override;
  if (env && Number.isFinite(+env)) return +env;
  return adapter.isSoftware ? SOFTWARE_CEILING_GFLOPS : null;
}
