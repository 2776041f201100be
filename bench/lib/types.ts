// The interface every bench/<name>.ts module exports as `bench`, and what run.ts hands it.
import type { Gpu } from '../../src/gpu/device.ts';
import type { TfPeer } from './tfjs-peer.ts';

/** One measured case: our speed and the peer's, in the bench's unit (higher is better). */
export interface BenchCase {
  case: string;
  /** our speed by wall time (best batch) */
  ours: number;
  /** the peer's speed by wall time, measured in the same run; null when the peer cannot run it */
  peer: number | null;
  peerName: string;
  /** ours / peer (higher is better) */
  ratio: number | null;
  /** ours as % of the adapter's ceiling, when the ceiling is known */
  pctCeiling?: number | null;
  /** speeds from GPU timestamp queries (kernel time only), when the adapter has them */
  oursGpu?: number | null;
  peerGpu?: number | null;
  /** speeds by worker-thread CPU time × cores (robust to other tenants on a shared CPU adapter) */
  oursCpu?: number | null;
  peerCpu?: number | null;
  ratioCpu?: number | null;
  /** anything else worth keeping (kernel chosen, milliseconds, repetitions …) */
  [extra: string]: unknown;
}

export interface BenchContext {
  gpu: Gpu;
  /** TensorFlow.js WebGPU on the engine's own device (created on first use) */
  tf(): Promise<TfPeer>;
  /** the adapter's practical peak in the bench's unit, or null when unknown */
  ceiling(unit: string): number | null;
  /** measure with GPU timestamps too (the device was created with timestamp queries) */
  gpuTiming: boolean;
  /** fewer cases / repetitions (smoke runs) */
  quick: boolean;
  log(line: string): void;
}

export interface Bench {
  /** what the bench measures, one line */
  description: string;
  /** 'GFLOP/s', 'GB/s', 'images/s' … */
  unit: string;
  run(ctx: BenchContext): Promise<BenchCase[]>;
}
