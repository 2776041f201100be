// Data-movement and row-op benchmark: permute/slice/concat (strided copy v2, v1 reference, copy
// engine), gather, softmax, logSoftmax and l2Normalize against TensorFlow.js WebGPU on the same
// Dawn adapter. GB/s counts the bytes each op must read and write once (f32).
//   node --import tsx bench/movement.ts [--quick] [--no-peer] [--only=substring, case-insensitive] [--json=out.json]
// Prints one line per case and one JSON document ({ bench, unit, cases, adapter, command }).
import { writeFileSync } from 'node:fs';
import '../src/gpu/node.ts';
import { getGpu, initGpu } from '../src/gpu/device.ts';
import { gather } from '../src/ops/gather.ts';
import { l2Normalize } from '../src/ops/normalize.ts';
import { concat, permute, slice } from '../src/ops/shape.ts';
import { logSoftmax, softmax } from '../src/ops/softmax.ts';
import { stridedCopyConfig } from '../src/ops/strided-copy.ts';
import { randn } from '../src/tensor/create.ts';
import type { Tensor } from '../src/tensor/tensor.ts';

type TfModule = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

interface Case {
  name: string;
  shape: number[];
  /** bytes read + written by one call */
  bytes: number;
  ours: (x: Tensor) => Tensor;
  /** the v1 reference kernel for copies */
  naive?: boolean;
  peer?: (tf: TfModule, x: TfTensor) => TfTensor;
}

const quick = process.argv.includes('--quick');
const MIN_SECONDS = quick ? 0.3 : 1.0;
const F = 4;
const NCHW = [8, 64, 56, 56];
const N1 = NCHW.reduce((a, b) => a * b, 1);
const GATHER_IDX = Array.from({ length: 4096 }, (_, i) => (i * 7919) % 1000);

const CASES: Case[] = [
  { name: 'permute NCHW→NHWC [8,64,56,56]', shape: NCHW, bytes: 2 * N1 * F, naive: true,
    ours: (x) => permute(x, [0, 2, 3, 1]), peer: (tf, x) => tf.transpose(x, [0, 2, 3, 1]) },
  { name: 'permute NHWC→NCHW [8,56,56,64]', shape: [8, 56, 56, 64], bytes: 2 * N1 * F, naive: true,
    ours: (x) => permute(x, [0, 3, 1, 2]), peer: (tf, x) => tf.transpose(x, [0, 3, 1, 2]) },
  { name: 'transpose last two [8,64,56,56]', shape: NCHW, bytes: 2 * N1 * F, naive: true,
    ours: (x) => permute(x, [0, 1, 3, 2]), peer: (tf, x) => tf.transpose(x, [0, 1, 3, 2]) },
  { name: 'slice ::2 spatial [8,64,56,56]', shape: NCHW, bytes: (2 * N1 * F) / 4, naive: true,
    ours: (x) => slice(x, [0, 0, 0, 0], NCHW, [1, 1, 2, 2]),
    peer: (tf, x) => tf.stridedSlice(x, [0, 0, 0, 0], NCHW, [1, 1, 2, 2]) },
  { name: 'concat channels 2×[8,64,56,56]', shape: NCHW, bytes: 4 * N1 * F, naive: true,
    ours: (x) => concat([x, x], 1), peer: (tf, x) => tf.concat([x, x], 1) },
  { name: 'gather 4096 rows of [1000,64]', shape: [1000, 64], bytes: 2 * 4096 * 64 * F,
    ours: (x) => gather(x, GATHER_IDX), peer: (tf, x) => tf.gather(x, tf.tensor1d(GATHER_IDX, 'int32')) },
  { name: 'softmax [256,1000]', shape: [256, 1000], bytes: 2 * 256 * 1000 * F,
    ours: (x) => softmax(x), peer: (tf, x) => tf.softmax(x) },
  { name: 'softmax [8,4097]', shape: [8, 4097], bytes: 2 * 8 * 4097 * F,
    ours: (x) => softmax(x), peer: (tf, x) => tf.softmax(x) },
  { name: 'logSoftmax [256,1000]', shape: [256, 1000], bytes: 2 * 256 * 1000 * F,
    ours: (x) => logSoftmax(x), peer: (tf, x) => tf.logSoftmax(x) },
  { name: 'l2Normalize [256,128]', shape: [256, 128], bytes: 2 * 256 * 128 * F,
    ours: (x) => l2Normalize(x),
    peer: (tf, x) => tf.div(x, tf.maximum(tf.norm(x, 2, -1, true), 1e-12)) },
  { name: 'l2Normalize [64,2048]', shape: [64, 2048], bytes: 2 * 64 * 2048 * F,
    ours: (x) => l2Normalize(x),
    peer: (tf, x) => tf.div(x, tf.maximum(tf.norm(x, 2, -1, true), 1e-12)) },
];

/** Seconds per call (one submit per rep, awaited), after a warm-up. */
async function time(step: () => void, sync: () => Promise<void>): Promise<number> {
  step();
  await sync();
  let reps = 0;
  const t0 = performance.now();
  do {
    step();
    await sync();
    reps++;
  } while ((performance.now() - t0) / 1000 < MIN_SECONDS || reps < 3);
  return (performance.now() - t0) / 1000 / reps;
}

async function tfPeer(): Promise<TfModule> {
  (globalThis as { navigator?: unknown }).navigator ??= { gpu: (globalThis as { __seeableDawn?: GPU }).__seeableDawn };
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  await tf.setBackend('webgpu');
  await tf.ready();
  return tf;
}

async function peerTime(tf: TfModule, c: Case): Promise<number> {
  const x = tf.randomNormal(c.shape);
  let last: TfTensor | null = null;
  const s = await time(() => void (last = c.peer!(tf, x)), async () => {
    if (last) {
      await last.data();
      last.dispose();
      last = null;
    }
  });
  x.dispose();
  return s;
}

async function main() {
  const gpu = await initGpu();
  const adapter = `${gpu.adapter.description || gpu.adapter.device} (${gpu.adapter.vendor}/${gpu.adapter.architecture})${gpu.adapter.isSoftware ? ' software' : ''}`;
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const tf = process.argv.includes('--no-peer') ? null : await tfPeer();
  const gbs = (bytes: number, s: number) => bytes / s / 1e9;
  const cases: { case: string; ours: number; naive: number | null; peer: number | null; peerName: string; ratio: number | null }[] = [];
  for (const c of CASES) {
    if (only && !c.name.toLowerCase().includes(only.toLowerCase())) continue;
    const x = randn(c.shape);
    const sync = () => getGpu().sync();
    const ours = await time(() => c.ours(x).dispose(), sync);
    let naive: number | null = null;
    if (c.naive) {
      stridedCopyConfig.naive = true;
      naive = await time(() => c.ours(x).dispose(), sync);
      stridedCopyConfig.naive = false;
    }
    x.dispose();
    const peer = tf && c.peer ? await peerTime(tf, c) : null;
    const o = gbs(c.bytes, ours);
    const p = peer ? gbs(c.bytes, peer) : null;
    const v = naive ? gbs(c.bytes, naive) : null;
    cases.push({ case: c.name, ours: +o.toFixed(3), naive: v && +v.toFixed(3), peer: p && +p.toFixed(3), peerName: 'tfjs-webgpu 4.22', ratio: p ? +(o / p).toFixed(2) : null });
    console.log(`${c.name.padEnd(34)} ours ${o.toFixed(2).padStart(6)} GB/s (${(ours * 1e3).toFixed(2)} ms)` +
      `${v ? `  v1 ${v.toFixed(2).padStart(6)}` : '            '}  tfjs ${p ? p.toFixed(2).padStart(6) : '   -  '}  ×${p ? (o / p).toFixed(2) : '-'}`);
  }
  const doc = { bench: 'movement', unit: 'GB/s', cases, adapter, command: `node --import tsx bench/movement.ts ${process.argv.slice(2).join(' ')}`.trim() };
  const out = process.argv.find((a) => a.startsWith('--json='))?.slice(7);
  if (out) writeFileSync(out, JSON.stringify(doc, null, 2));
  console.log(JSON.stringify(doc));
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
