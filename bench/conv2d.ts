// Conv benchmark: our conv2d / depthwise kernels (NCHW, as chooseConvPath() picks them) against
// TensorFlow.js WebGPU (NHWC) on the same device, at the shapes EfficientNet-B0 meets.
//   npm run bench -- conv2d [--quick]
// Per shape: fwd, dx (grad-input), dw (grad-weight), each against the TF.js kernel doing the same job
// (Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter and the depthwise ones), batches interleaved.
// GFLOP/s = 2·N·Cout·OH·OW·(Cin/groups)·kh·kw / s for every direction. Each row also carries
// bwdOverFwd (our backward time / our forward time; the target is ≤ 2.5) and our values are checked
// against TF.js's before timing. Read ratioCpu (speed by CPU time of lavapipe's threads) on a busy
// machine, ratio (wall clock) on a quiet one.
import { convGeometry, type ConvGeometry } from '../src/ops/conv-geometry.ts';
import { chooseConvPath, type ConvPath } from '../src/ops/conv2d.ts';
import { convForwardRaw, convGradInputRaw, convGradWeightRaw } from '../src/ops/conv2d-raw.ts';
import { pointwiseForward, pointwiseGradInput, pointwiseGradWeight } from '../src/ops/pointwise.ts';
import { depthwiseForwardRaw, depthwiseGradInputRaw, depthwiseGradWeightRaw } from '../src/ops/depthwise.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { cpus } from 'node:os';
import { timeInterleaved } from './lib/timing.ts';
import type { Bench, BenchCase } from './lib/types.ts';

interface Shape {
  name: string;
  x: [number, number, number, number];
  cout: number;
  k: number;
  stride: number;
  depthwise?: boolean;
  quick?: boolean;
}

const SHAPES: Shape[] = [
  { name: '3×3 1×32×112×112→64', x: [1, 32, 112, 112], cout: 64, k: 3, stride: 1, quick: true },
  { name: 'stem 3×3/2 1×3×224×224→32', x: [1, 3, 224, 224], cout: 32, k: 3, stride: 2 },
  { name: '1×1 1×16×112×112→96', x: [1, 16, 112, 112], cout: 96, k: 1, stride: 1, quick: true },
  { name: '1×1 1×144×56×56→24', x: [1, 144, 56, 56], cout: 24, k: 1, stride: 1 },
  { name: '1×1 1×40×28×28→240', x: [1, 40, 28, 28], cout: 240, k: 1, stride: 1 },
  { name: '1×1 1×320×7×7→1280', x: [1, 320, 7, 7], cout: 1280, k: 1, stride: 1 },
  { name: 'dw 3×3/2 1×96×112×112', x: [1, 96, 112, 112], cout: 96, k: 3, stride: 2, depthwise: true },
  { name: 'dw 3×3/1 1×144×56×56', x: [1, 144, 56, 56], cout: 144, k: 3, stride: 1, depthwise: true, quick: true },
  { name: 'dw 5×5/2 1×144×56×56', x: [1, 144, 56, 56], cout: 144, k: 5, stride: 2, depthwise: true },
  { name: 'dw 5×5/1 1×240×28×28', x: [1, 240, 28, 28], cout: 240, k: 5, stride: 1, depthwise: true, quick: true },
  { name: 'dw 5×5/1 1×672×14×14', x: [1, 672, 14, 14], cout: 672, k: 5, stride: 1, depthwise: true },
  { name: 'dw 3×3/1 1×1152×7×7', x: [1, 1152, 7, 7], cout: 1152, k: 3, stride: 1, depthwise: true },
];

type Kind = 'fwd' | 'dx' | 'dw';
const KINDS: Kind[] = ['fwd', 'dx', 'dw'];

function ourOps(path: ConvPath) {
  if (path === 'pointwise') return { fwd: pointwiseForward, dx: pointwiseGradInput, dw: pointwiseGradWeight };
  if (path === 'depthwise') return { fwd: depthwiseForwardRaw, dx: depthwiseGradInputRaw, dw: depthwiseGradWeightRaw };
  return { fwd: convForwardRaw, dx: convGradInputRaw, dw: convGradWeightRaw };
}

const random = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export const bench: Bench = {
  description: 'conv2d / depthwise forward and backward (NCHW), ours vs TensorFlow.js WebGPU (NHWC) on the same device',
  unit: 'GFLOP/s',
  async run(ctx) {
    const { gpu } = ctx;
    const peer = await ctx.tf();
    const { tf } = peer;
    type T4 = import('@tensorflow/tfjs-core').Tensor4D;
    const rng = new Rng(99);
    const out: BenchCase[] = [];
    for (const s of SHAPES.filter((x) => !ctx.quick || x.quick)) {
      const [N, C, H, W] = s.x;
      const wShape = [s.cout, s.depthwise ? 1 : C, s.k, s.k];
      const g: ConvGeometry = convGeometry(s.x, wShape, { stride: s.stride, padding: 'same', groups: s.depthwise ? C : 1 });
      const dyShape = [N, s.cout, g.OH, g.OW];
      const gflop = (2 * N * s.cout * g.OH * g.OW * g.Ci * g.kh * g.kw) / 1e9;
      const path = chooseConvPath(g);
      const ops = ourOps(path);
      const hx = random(rng, size(s.x)), hw = random(rng, size(wShape)), hdy = random(rng, size(dyShape));

      const x = tensor(hx, s.x), w = tensor(hw, wShape), dy = tensor(hdy, dyShape);
      const ourStep: Record<Kind, () => Tensor> = {
        fwd: () => ops.fwd(x, w, null, g),
        dx: () => ops.dx(dy, w, g),
        dw: () => ops.dw(x, dy, g),
      };

      // TF.js on the same numbers, NHWC / HWIO (depthwise HWC1).
      const tx = tf.transpose(tf.tensor(hx, s.x), [0, 2, 3, 1]) as T4;
      const tw = tf.transpose(tf.tensor(hw, wShape as [number, number, number, number]), s.depthwise ? [2, 3, 0, 1] : [2, 3, 1, 0]) as T4;
      const tdy = tf.transpose(tf.tensor(hdy, dyShape as [number, number, number, number]), [0, 2, 3, 1]) as T4;
      const attrs = { strides: [s.stride, s.stride], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
      const run = (kernel: string, inputs: Record<string, T4>, extra: Record<string, unknown>) =>
        tf.engine().runKernel(kernel, inputs, { ...attrs, ...extra } as never) as T4;
      const peerStep: Record<Kind, () => T4> = {
        fwd: () => (s.depthwise ? tf.depthwiseConv2d(tx, tw, s.stride, 'same') : tf.conv2d(tx, tw, s.stride, 'same')),
        dx: () => run(s.depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput', { dy: tdy, filter: tw }, { inputShape: [N, H, W, C] }),
        dw: () => run(s.depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter', { x: tx, dy: tdy }, { filterShape: tw.shape }),
      };
      // Back to our layouts for the comparison.
      const toOurs: Record<Kind, number[]> = { fwd: [0, 3, 1, 2], dx: [0, 3, 1, 2], dw: s.depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1] };

      const ms: Record<Kind, { ours: number; peer: number; oursCpu: number | null; peerCpu: number | null }> = {} as never;
      for (const kind of KINDS) {
        const mine = ourStep[kind]();
        const theirs = tf.transpose(peerStep[kind](), toOurs[kind] as [number, number, number, number]);
        const a = await mine.read(), b = (await theirs.data()) as Float32Array;
        mine.dispose();
        theirs.dispose();
        let scale = 0, diff = 0;
        for (let i = 0; i < b.length; i++) (scale = Math.max(scale, Math.abs(b[i]))), (diff = Math.max(diff, Math.abs(a[i] - b[i])));
        if (!(a.length === b.length && diff <= 1e-4 * scale)) throw new Error(`${s.name} ${kind}: ours and TF.js disagree (max |Δ| ${diff} of scale ${scale})`);

        let mineOut: Tensor[] = [];
        let theirOut: { dispose(): void }[] = [];
        const works = [
          {
            record: () => void mineOut.push(ourStep[kind]()),
            submit: () => gpu.flush(),
            drained: () => gpu.sync(),
            release: () => (mineOut.forEach((t) => t.dispose()), (mineOut = [])),
          },
          {
            record: () => void theirOut.push(peerStep[kind]()),
            submit: () => peer.flush(),
            drained: () => gpu.sync(),
            release: () => (theirOut.forEach((t) => t.dispose()), (theirOut = [])),
          },
        ];
        const [o, p] = await timeInterleaved(works, { batches: ctx.quick ? 3 : 5, targetMs: ctx.quick ? 250 : 400 });
        ms[kind] = { ours: o.bestMs, peer: p.bestMs, oursCpu: o.medianCpuMs, peerCpu: p.medianCpuMs };
      }
      [x, w, dy].forEach((t) => t.dispose());
      [tx, tw, tdy].forEach((t) => t.dispose());

      for (const kind of KINDS) {
        const ours = gflop / (ms[kind].ours / 1e3), theirs = gflop / (ms[kind].peer / 1e3);
        const m = ms[kind];
        // Speed by worker CPU time × cores (bench/README.md): robust on a shared machine.
        const byCpu = (cpuMs: number | null) => (cpuMs ? (gflop / (cpuMs / 1e3)) * cpus().length : null);
        const oursCpu = byCpu(m.oursCpu), peerCpu = byCpu(m.peerCpu);
        const cpuRatio = oursCpu && peerCpu ? oursCpu / peerCpu : null;
        const row: BenchCase = {
          case: `${s.name} ${kind}`, ours, peer: theirs, peerName: peer.name, ratio: ours / theirs,
          path, oursMs: m.ours, peerMs: m.peer, oursCpu, peerCpu, ratioCpu: cpuRatio,
          ...(kind === 'fwd' ? {} : { bwdOverFwd: m.ours / ms.fwd.ours, bwdOverFwdCpu: m.oursCpu && ms.fwd.oursCpu ? m.oursCpu / ms.fwd.oursCpu : null }),
        };
        out.push(row);
        ctx.log(`${row.case} [${path}]: ours ${ours.toFixed(2)}, peer ${theirs.toFixed(2)} GFLOP/s, ×${row.ratio!.toFixed(2)}` +
          (cpuRatio ? ` (by CPU time ×${cpuRatio.toFixed(2)})` : '') +
          (kind === 'fwd' ? '' : `, ${(m.ours / ms.fwd.ours).toFixed(2)}× our fwd` + (row.bwdOverFwdCpu ? ` (CPU ${(row.bwdOverFwdCpu as number).toFixed(2)}×)` : '')));
      }
      gpu.trim();
    }
    return out;
  },
};
