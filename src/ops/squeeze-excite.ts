// Squeeze-and-excite (EfficientNet's SE block) as a composition of ops, plus its fused gate:
// channelScale(x, s) = x[n,c,h,w]·s[n,c] with its backward (gx = gy·s, gs = Σ_hw gy·x),
// kernels/scale.wgsl. The 1×1 convs on the pooled [N, C] tensor are matmuls with transB
// (weights [Cout, Cin], i.e. PyTorch's [Cout, Cin, 1, 1] flattened).
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { zeros } from '../tensor/create.ts';
import { keep } from '../tensor/scope.ts';
import { needsGrad, noGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { add } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { choosePlanePath, rowChunks, type PlanePath } from './plane-reduce.ts';
import { globalAvgPool2d } from './pool.ts';
import { sumRows } from './reduce.ts';
import { reshape } from './shape.ts';
import { fmt } from './shape-utils.ts';
import { sigmoid, silu } from './unary.ts';

const PARAMS = [['planes', 'u32'], ['HW', 'u32']] as const;
const K_SCALE = defineKernel({ file: 'scale', entry: 'channel_scale', params: PARAMS, reads: 2, writes: 1, workgroupSize: 64 });
const K_SCALE4 = defineKernel({ file: 'scale', entry: 'channel_scale4', params: PARAMS, reads: 2, writes: 1, workgroupSize: 64 });
const K_SCALE_GRAD = defineKernel({ file: 'scale', entry: 'channel_scale_grad', params: PARAMS, reads: 2, writes: 1, workgroupSize: 64 });
const K_SE_GX = {
  scalar: defineKernel({ file: 'scale', entry: 'se_grad_input', params: PARAMS, reads: 3, writes: 1, workgroupSize: 64 }),
  vec4: defineKernel({ file: 'scale', entry: 'se_grad_input4', params: PARAMS, reads: 3, writes: 1, workgroupSize: 64 }),
};
const ROW_PARAMS = [['rows', 'u32'], ['len', 'u32'], ['chunk', 'u32'], ['nchunk', 'u32']] as const;
const kr = (entry: string) => defineKernel({ file: 'scale', entry, params: ROW_PARAMS, reads: 2, writes: 1, workgroupSize: 64 });
const K_SCALE_GRAD_ROWS = { scalar: kr('channel_scale_grad_rows'), vec4: kr('channel_scale_grad_rows4') };

export interface ChannelScaleOptions {
  /** Force the kernel of gs = Σ_hw gy·x (tests); by default plane-reduce.ts chooses. */
  gradPath?: PlanePath;
}

/** gs = Σ_hw gy·x by the chosen path: [N, C] shaped like s. */
function scaleGrad(gy: Tensor, x: Tensor, s: Tensor, path: PlanePath | undefined): Tensor {
  const [N, C, H, W] = x.shape;
  const planes = N * C;
  const params = { planes, HW: H * W };
  if ((path ?? choosePlanePath(H * W)) === 'rows') {
    const rows = scaleGradRows(gy, x, planes, params.HW);
    const gs = rows.view(s.shape);
    rows.dispose();
    return gs;
  }
  const gs = Tensor.empty(s.shape);
  const gxDim = Math.min(Math.max(planes, 1), 65535);
  getGpu().dispatch(K_SCALE_GRAD, [gy.buffer, x.buffer, gs.buffer], params, [gxDim, Math.ceil(planes / gxDim), 1]);
  return gs;
}

/** gs[plane] = Σ gy·x over each plane, thread per (plane, chunk) (CPU adapters): [planes, 1]. */
function scaleGradRows(gy: Tensor, x: Tensor, planes: number, hw: number): Tensor {
  const { chunk, nchunk } = rowChunks(planes, hw);
  const part = Tensor.empty([planes, nchunk]);
  const k = hw % 4 === 0 && chunk % 4 === 0 ? K_SCALE_GRAD_ROWS.vec4 : K_SCALE_GRAD_ROWS.scalar;
  getGpu().dispatch(k, [gy.buffer, x.buffer, part.buffer], { rows: planes, len: hw, chunk, nchunk }, planes * nchunk);
  if (nchunk === 1) return part;
  const out = sumRows(part, planes, nchunk);
  part.dispose();
  return out;
}

/** y[n,c,h,w] = x[n,c,h,w]·s[n,c]; s may be [N, C] or [N, C, 1, 1]. */
export function channelScale(x: Tensor, s: Tensor, opts: ChannelScaleOptions = {}): Tensor {
  if (x.rank !== 4 || x.dtype !== 'f32' || s.dtype !== 'f32') {
    throw new Error(`channelScale: x must be f32 [N, C, H, W] and s f32, got ${fmt(x.shape)} and ${fmt(s.shape)}`);
  }
  const [N, C, H, W] = x.shape;
  if (s.size !== N * C || s.shape[0] !== N) {
    throw new Error(`channelScale: s must be [${N}, ${C}] (or [${N}, ${C}, 1, 1]) for x ${fmt(x.shape)}, got ${fmt(s.shape)}`);
  }
  const params = { planes: N * C, HW: H * W };
  const gpu = getGpu();
  const scale = (src: Tensor, dst: Tensor) => {
    if (dst.size === 0) return;
    if (params.HW % 4 === 0) {
      gpu.dispatch(K_SCALE4, [src.buffer, s.buffer, dst.buffer], params, dst.size / 4);
    } else if (params.HW >= 128) {
      const py = Math.min(params.planes, 65535);
      gpu.dispatch(K_SCALE, [src.buffer, s.buffer, dst.buffer], params,
        [Math.ceil(params.HW / 4 / 64), py, Math.ceil(params.planes / py)], { RUNS: 1 });
    } else {
      gpu.dispatch(K_SCALE, [src.buffer, s.buffer, dst.buffer], params, dst.size, { RUNS: 0 });
    }
  };
  const out = Tensor.empty(x.shape);
  scale(x, out);
  if (needsGrad(x, s)) {
    record('channelScale', out, [x, s], [x, s], (g) => {
      let gx: Tensor | null = null;
      let gs: Tensor | null = null;
      if (x.requiresGrad) {
        gx = Tensor.empty(x.shape);
        scale(g, gx);
      }
      if (s.requiresGrad) gs = scaleGrad(g, x, s, opts.gradPath);
      return [gx, gs];
    });
  }
  return out;
}

/** A 1×1 conv weight as [Cout, Cin] (accepts PyTorch's [Cout, Cin, 1, 1]). */
function asMatrix(w: Tensor, what: string): Tensor {
  if (w.rank === 2) return w;
  if (w.rank === 4 && w.shape[2] === 1 && w.shape[3] === 1) return reshape(w, [w.shape[0], w.shape[1]]);
  throw new Error(`squeezeExcite: ${what} must be [Cout, Cin] or [Cout, Cin, 1, 1], got ${fmt(w.shape)}`);
}

/**
 * EfficientNet's squeeze-and-excite: s = σ(W2·swish(W1·mean_hw(x) + b1) + b2), y = x·s.
 * w1 [Cr, C], b1 [Cr], w2 [C, Cr], b2 [C] (or the [Cout, Cin, 1, 1] conv weights).
 * x's gradient (it feeds both the pool and the gate) is one fused pass: see sePool / seScale.
 */
export function squeezeExcite(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, opts: ChannelScaleOptions = {}): Tensor {
  const [N, C] = x.shape;
  const fused = needsGrad(x) ? { gy: null, s: null } : null;
  const pool = fused ? sePool(x, fused, opts.gradPath) : globalAvgPool2d(x, { path: opts.gradPath });
  const pooled = then(pool, (t) => reshape(t, [N, C]));
  const z1 = then(pooled, (t) => matmulWeight(t, w1, 'w1'));
  const hidden = then(then(z1, (t) => add(t, b1)), silu);
  const z2 = then(hidden, (t) => matmulWeight(t, w2, 'w2'));
  const gate = then(then(z2, (t) => add(t, b2)), sigmoid);
  return then(gate, (t) => (fused ? seScale(x, t, fused, opts.gradPath) : channelScale(x, t, opts)));
}

/** What the gate's backward hands to the pool's backward (which runs later: the pool feeds the gate). */
interface SeHandoff { gy: Tensor | null; s: Tensor | null }

/** The SE pool; its backward writes x's whole gradient gy·s + gp/HW (se_grad_input), taking gy and s
 *  from seScale's backward, so that neither path's x-sized gradient is written and then added. */
function sePool(x: Tensor, handoff: SeHandoff, path: PlanePath | undefined): Tensor {
  const pooled = noGrad(() => globalAvgPool2d(x, { path }));
  record('sePool', pooled, [x], [], (gp) => {
    const [N, C, H, W] = x.shape;
    const gx = Tensor.empty(x.shape);
    if (gx.size > 0) {
      const hw = H * W;
      // No handoff only if no gradient reached the gate's output: then x's share through it is 0.
      const gy = handoff.gy ?? zeros(x.shape);
      const s = handoff.s ?? zeros([N, C]);
      const k = hw % 4 === 0 ? K_SE_GX.vec4 : K_SE_GX.scalar;
      getGpu().dispatch(k, [gy.buffer, s.buffer, gp.buffer, gx.buffer], { planes: N * C, HW: hw }, gx.size / (hw % 4 === 0 ? 4 : 1));
      gy.dispose();
      s.dispose();
    }
    handoff.gy = handoff.s = null;
    return [gx];
  });
  return pooled;
}

/** The SE gate x·s; its backward gives gs and leaves x's share (gy, s) to sePool's backward. */
function seScale(x: Tensor, s: Tensor, handoff: SeHandoff, path: PlanePath | undefined): Tensor {
  const out = noGrad(() => channelScale(x, s));
  record('seScale', out, [s], [x, s], (g) => {
    handoff.gy = keep(g.view(g.shape));
    handoff.s = keep(s.view(s.shape));
    return [scaleGrad(g, x, s, path)];
  });
  return out;
}

/** t · Wᵀ for a 1×1 conv weight given as [Cout, Cin] or [Cout, Cin, 1, 1]. */
function matmulWeight(t: Tensor, w: Tensor, what: string): Tensor {
  const m = asMatrix(w, what);
  const out = matmul(t, m, { transB: true });
  if (m !== w) m.dispose();
  return out;
}

/** f(t), then drop the handle on the intermediate t (the graph retains what the backward needs),
 *  so that inference outside tidy() does not leak the block's temporaries. */
function then(t: Tensor, f: (t: Tensor) => Tensor): Tensor {
  const out = f(t);
  t.dispose();
  return out;
}
