// Conv benchmark: our conv2d / depthwise kernels (NCHW) against TensorFlow.js WebGPU (NHWC) on the
// same Dawn adapter, at the shapes EfficientNet-B0 meets. Prints GFLOP/s per case and one JSON
// document ({ bench, unit, cases: [{ case, ours, peer, peerName, ratio }], adapter, command }).
//   npm run bench -- conv2d            (or: node --import tsx bench/conv2d.ts [--quick] [--json out.json])
// Cases per shape: fwd, dx (grad-input), dw (grad-weight), and train (all three in one submit),
// each against the TF.js kernel doing the same job. The "bwd/fwd" lines check the target that each
// of our backward passes costs at most 2.5× our forward. GFLOP/s = 2·N·Cout·OH·OW·Cin/groups·kh·kw / s.
import { writeFileSync } from 'node:fs';
import '../src/gpu/node.ts';
import { getGpu, initGpu } from '../src/gpu/device.ts';
import { convGeometry, type ConvGeometry } from '../src/ops/conv-geometry.ts';
import { chooseConvPath, type ConvPath } from '../src/ops/conv2d.ts';
import {
  convForwardRaw, convGradInputRaw, convGradWeightRaw, pointwiseGradInputRaw, pointwiseGradWeightRaw, pointwiseRaw,
} from '../src/ops/conv2d-raw.ts';
import { depthwiseForwardRaw, depthwiseGradInputRaw, depthwiseGradWeightRaw } from '../src/ops/depthwise.ts';
import { randn } from '../src/tensor/create.ts';
import type { Tensor } from '../src/tensor/tensor.ts';

interface Shape {
  name: string;
  x: [number, number, number, number];
  cout: number;
  k: number;
  stride: number;
  depthwise?: boolean;
}

const SHAPES: Shape[] = [
  { name: '3×3 conv 1×32×112×112 → 64', x: [1, 32, 112, 112], cout: 64, k: 3, stride: 1 },
  { name: '3×3 conv 1×32×224×224 → 64 (TOOLCHAIN.md reference)', x: [1, 32, 224, 224], cout: 64, k: 3, stride: 1 },
  { name: 'stem 3×3/2 conv 1×3×224×224 → 32', x: [1, 3, 224, 224], cout: 32, k: 3, stride: 2 },
  { name: '1×1 expand 1×16×112×112 → 96', x: [1, 16, 112, 112], cout: 96, k: 1, stride: 1 },
  { name: '1×1 project 1×144×56×56 → 24', x: [1, 144, 56, 56], cout: 24, k: 1, stride: 1 },
  { name: '1×1 expand 1×40×28×28 → 240', x: [1, 40, 28, 28], cout: 240, k: 1, stride: 1 },
  { name: '1×1 head 1×320×7×7 → 1280', x: [1, 320, 7, 7], cout: 1280, k: 1, stride: 1 },
  { name: 'dw 3×3/2 1×96×112×112', x: [1, 96, 112, 112], cout: 96, k: 3, stride: 2, depthwise: true },
  { name: 'dw 3×3/1 1×144×56×56', x: [1, 144, 56, 56], cout: 144, k: 3, stride: 1, depthwise: true },
  { name: 'dw 5×5/2 1×144×56×56', x: [1, 144, 56, 56], cout: 144, k: 5, stride: 2, depthwise: true },
  { name: 'dw 5×5/1 1×240×28×28', x: [1, 240, 28, 28], cout: 240, k: 5, stride: 1, depthwise: true },
  { name: 'dw 5×5/1 1×672×14×14', x: [1, 672, 14, 14], cout: 672, k: 5, stride: 1, depthwise: true },
];

export interface BenchCase { case: string; ours: number; peer: number | null; peerName: string; ratio: number | null }

const quick = process.argv.includes('--quick');
const MIN_SECONDS = quick ? 0.15 : 0.4;
const ROUNDS = quick ? 2 : 3;

/** Seconds per call of `step`: `inner` calls per submit (one sync each, so small kernels are not
 *  timed by the sync's latency), repeated for at least MIN_SECONDS after a warm-up. */
async function time(step: () => void, sync: () => Promise<void>, inner: number): Promise<number> {
  step();
  await sync();
  let reps = 0;
  const t0 = performance.now();
  do {
    for (let i = 0; i < inner; i++) step();
    await sync();
    reps += inner;
  } while ((performance.now() - t0) / 1000 < MIN_SECONDS || reps < 2 * inner);
  return (performance.now() - t0) / 1000 / reps;
}

/** Calls per submit: about 100 MFLOP of work between syncs. */
const innerFor = (flop: number) => Math.max(1, Math.min(64, Math.round(1e8 / flop)));

const gflops = (flop: number, s: number) => flop / s / 1e9;

function ourOps(path: ConvPath) {
  if (path === 'pointwise') return { fwd: pointwiseRaw, dx: pointwiseGradInputRaw, dw: pointwiseGradWeightRaw };
  if (path === 'depthwise') return { fwd: depthwiseForwardRaw, dx: depthwiseGradInputRaw, dw: depthwiseGradWeightRaw };
  return { fwd: convForwardRaw, dx: convGradInputRaw, dw: convGradWeightRaw };
}

type Kind = 'fwd' | 'dx' | 'dw' | 'train';
interface Runner { steps: Record<Kind, () => void>; sync: () => Promise<void>; dispose: () => void }

function ours(s: Shape, g: ConvGeometry): Runner & { path: ConvPath } {
  const gpu = getGpu();
  const path = chooseConvPath(g);
  const ops = ourOps(path);
  const x = randn(s.x);
  const w = randn([s.cout, s.depthwise ? 1 : s.x[1], s.k, s.k]);
  const dy = randn([g.N, s.cout, g.OH, g.OW]);
  const steps = {
    fwd: () => ops.fwd(x, w, null, g).dispose(),
    dx: () => ops.dx(dy, w, g).dispose(),
    dw: () => ops.dw(x, dy, g).dispose(),
    train: () => {
      ops.fwd(x, w, null, g).dispose();
      ops.dx(dy, w, g).dispose();
      ops.dw(x, dy, g).dispose();
    },
  };
  return { path, steps, sync: () => gpu.sync(), dispose: () => [x, w, dy].forEach((t: Tensor) => t.dispose()) };
}

// TensorFlow.js WebGPU, NHWC, in the same process on the same Dawn adapter.
async function tfPeer() {
  const gpu = getGpu();
  (globalThis as { navigator?: unknown }).navigator ??= { gpu: (globalThis as { __seeableDawn?: GPU }).__seeableDawn };
  void gpu;
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  await tf.setBackend('webgpu');
  await tf.ready();
  return tf;
}
type Tf = Awaited<ReturnType<typeof tfPeer>>;

function peer(tf: Tf, s: Shape, g: ConvGeometry): Runner {
  type T4 = import('@tensorflow/tfjs-core').Tensor4D;
  const [N, C, H, W] = s.x;
  const x = tf.randomNormal([N, H, W, C]) as T4;
  const fShape: [number, number, number, number] = s.depthwise ? [s.k, s.k, C, 1] : [s.k, s.k, C, s.cout];
  const f = tf.randomNormal(fShape) as T4;
  const dy = tf.randomNormal([N, g.OH, g.OW, s.cout]) as T4;
  const strides: [number, number] = [s.stride, s.stride];
  const attrs = { strides, pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
  // The backward kernels TF.js's own gradients dispatch (tf.grads needs the gradient registry,
  // which the tfjs-core Node bundle does not load).
  const run = (kernel: string, inputs: Record<string, T4>, extra: Record<string, unknown>) =>
    tf.engine().runKernel(kernel, inputs, { ...attrs, ...extra } as never) as T4;
  const fwd = () => (s.depthwise ? tf.depthwiseConv2d(x, f, s.stride, 'same') : tf.conv2d(x, f, s.stride, 'same'));
  const dx = () => run(s.depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput', { dy, filter: f }, { inputShape: [N, H, W, C] });
  const dw = () => run(s.depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter', { x, dy }, { filterShape: fShape });
  let last: import('@tensorflow/tfjs-core').Tensor[] = [];
  // Every call's outputs are kept until the sync, which reads the last one (TF.js runs in order).
  const sync = async () => {
    if (last.length) await last[last.length - 1].data();
    for (const t of last) t.dispose();
    last = [];
  };
  return {
    steps: {
      fwd: () => void last.push(fwd()),
      dx: () => void last.push(dx()),
      dw: () => void last.push(dw()),
      train: () => void last.push(fwd(), dx(), dw()),
    },
    sync,
    dispose: () => [x, f, dy].forEach((t) => t.dispose()),
  };
}

async function main() {
  const gpu = await initGpu();
  const adapter = `${gpu.adapter.description || gpu.adapter.device} (${gpu.adapter.vendor}/${gpu.adapter.architecture})${gpu.adapter.isSoftware ? ' software' : ''}`;
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const noPeer = process.argv.includes('--no-peer');
  const tf = noPeer ? null : await tfPeer();
  const cases: BenchCase[] = [];
  const notes: string[] = [];
  for (const s of SHAPES) {
    if (only && !s.name.includes(only)) continue;
    const g = convGeometry(s.x, [s.cout, s.depthwise ? 1 : s.x[1], s.k, s.k], { stride: s.stride, padding: 'same', groups: s.depthwise ? s.x[1] : 1 });
    const flop = 2 * g.N * s.cout * g.OH * g.OW * g.Ci * g.kh * g.kw;
    const inner = innerFor(flop);
    const o = ours(s, g);
    const p = tf ? peer(tf, s, g) : null;
    // Ours and the peer alternate, best of ROUNDS each: the machine is shared, and the minimum is
    // the least disturbed measurement of either.
    const best = { ours: {} as Record<Kind, number>, peer: {} as Record<Kind, number> };
    const kinds: Kind[] = ['fwd', 'dx', 'dw', 'train'];
    for (const kind of kinds) best.ours[kind] = best.peer[kind] = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of kinds) {
        best.ours[kind] = Math.min(best.ours[kind], await time(o.steps[kind], o.sync, inner));
        if (p) best.peer[kind] = Math.min(best.peer[kind], await time(p.steps[kind], p.sync, inner));
      }
    }
    o.dispose();
    p?.dispose();
    const peerT = p ? best.peer : null;
    const oursT = { ...best.ours, path: o.path };
    const row = (what: string, o: number, p: number | null) => {
      cases.push({ case: `${s.name} ${what}`, ours: +o.toFixed(3), peer: p === null ? null : +p.toFixed(3), peerName: 'tfjs-webgpu 4.22', ratio: p ? +(o / p).toFixed(2) : null });
      console.log(`${s.name.padEnd(52)} ${what.padEnd(6)} ours ${o.toFixed(2).padStart(6)} GFLOP/s  tfjs ${p === null ? '   -  ' : p.toFixed(2).padStart(6)}  ×${p ? (o / p).toFixed(2) : '-'}`);
    };
    row('fwd', gflops(flop, oursT.fwd), peerT ? gflops(flop, peerT.fwd) : null);
    row('dx', gflops(flop, oursT.dx), peerT ? gflops(flop, peerT.dx) : null);
    row('dw', gflops(flop, oursT.dw), peerT ? gflops(flop, peerT.dw) : null);
    row('train', gflops(3 * flop, oursT.train), peerT ? gflops(3 * flop, peerT.train) : null);
    const note = `${s.name} [${oursT.path}]: fwd ${(oursT.fwd * 1e3).toFixed(2)} ms, grad-input ${(oursT.dx * 1e3).toFixed(2)} ms (${(oursT.dx / oursT.fwd).toFixed(2)}× fwd), grad-weight ${(oursT.dw * 1e3).toFixed(2)} ms (${(oursT.dw / oursT.fwd).toFixed(2)}× fwd)`;
    notes.push(note);
    console.log(`  bwd/fwd: ${note}`);
  }
  const doc = { bench: 'conv2d', unit: 'GFLOP/s', cases, notes, adapter, command: `node --import tsx bench/conv2d.ts ${process.argv.slice(2).join(' ')}`.trim() };
  const out = process.argv.find((a) => a.startsWith('--json='))?.slice(7);
  if (out) writeFileSync(out, JSON.stringify(doc, null, 2));
  console.log(JSON.stringify(doc));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (e) => {
    console.error(e);
    process.exit(1);
  });
}
