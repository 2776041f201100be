// 2-D FFT of complex planes (power-of-two sizes, batched), and mirror padding of real images to
// complex planes and cropping back. Data generation only: no autograd.
// Complex tensors are interleaved: shape [..., H, W, 2] (re, im).
import { getGpu, type Gpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { tensor } from '../../tensor/create.ts';
import { keep } from '../../tensor/scope.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { fmt } from '../shape-utils.ts';

const PASS_PARAMS = [['total', 'u32'], ['n', 'u32'], ['half', 'u32'], ['p', 'u32'], ['inner', 'u32'], ['sign', 'f32'], ['scale', 'f32']] as const;
const K_PASS2 = defineKernel({ file: 'fft', entry: 'fft_pass', params: PASS_PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_PASS4 = defineKernel({ file: 'fft', entry: 'fft_pass4', params: PASS_PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_PASS8 = defineKernel({ file: 'fft', entry: 'fft_pass8', params: PASS_PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const PASS_KERNEL = { 2: K_PASS2, 4: K_PASS4, 8: K_PASS8 } as const;
export type FftRadix = 2 | 4 | 8;
const WINDOW_PARAMS = [
  ['total', 'u32'], ['h', 'u32'], ['w', 'u32'], ['ph', 'u32'], ['pw', 'u32'], ['top', 'u32'], ['left', 'u32'], ['clip01', 'u32'], ['pair_c', 'u32'],
] as const;
const K_PAD = defineKernel({ file: 'fft', entry: 'pad_complex', params: WINDOW_PARAMS, reads: 1, writes: 1, workgroupSize: 256 });
const K_CROP = defineKernel({ file: 'fft', entry: 'crop_real', params: WINDOW_PARAMS, reads: 1, writes: 1, workgroupSize: 256 });

export const isPow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
export const nextPow2 = (n: number) => (n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n)));

// Twiddle tables w[j] = exp(−2πi j/n), j < n, per device and length; computed in float64.
const twiddleCache = new WeakMap<Gpu, Map<number, Tensor>>();
function twiddles(n: number): Tensor {
  const gpu = getGpu();
  let byN = twiddleCache.get(gpu);
  if (!byN) twiddleCache.set(gpu, (byN = new Map()));
  let t = byN.get(n);
  if (!t) {
    const data = new Float32Array(2 * n);
    for (let j = 0; j < n; j++) {
      data[2 * j] = Math.cos((2 * Math.PI * j) / n);
      data[2 * j + 1] = -Math.sin((2 * Math.PI * j) / n);
    }
    t = keep(tensor(data, [n, 2]));
    byN.set(n, t);
  }
  return t;
}

function complexDims(z: Tensor, op: string): { planes: number; h: number; w: number } {
  const s = z.shape;
  if (z.dtype !== 'f32' || s.length < 3 || s[s.length - 1] !== 2) {
    throw new Error(`${op}: expects complex f32 planes [..., H, W, 2], got ${z.dtype} ${fmt(s)}`);
  }
  const h = s[s.length - 3];
  const w = s[s.length - 2];
  return { planes: z.size / (2 * h * w), h, w };
}

/** Radices of the Stockham passes for an n-point transform: the largest radix (up to `radix`) throughout,
 *  with one smaller pass first for the rest of log2(n); radix 2 throughout is the reference path. */
export function fftRadices(n: number, radix: FftRadix = 8): FftRadix[] {
  const m = Math.log2(n);
  const bits = Math.log2(radix);
  const rest = m % bits;
  return [...(rest ? [(2 ** rest) as FftRadix] : []), ...new Array<FftRadix>(Math.floor(m / bits)).fill(radix)];
}

/**
 * 2-D DFT over the last two spatial dims of complex planes [..., H, W, 2] (H, W powers of two):
 * forward X[u,v] = Σ x[y,x]·exp(−2πi(uy/H + vx/W)); inverse with +i and a 1/(H·W) factor.
 * `radix` caps the passes' radix: 8 (default), 4, or 2 (the reference kernel).
 */
export function fft2d(z: Tensor, opts: { inverse?: boolean; radix?: FftRadix } = {}): Tensor {
  const { planes, h, w } = complexDims(z, 'fft2d');
  if (!isPow2(h) || !isPow2(w)) throw new Error(`fft2d: sizes must be powers of two, got ${h}×${w} (${fmt(z.shape)})`);
  const gpu = getGpu();
  const inverse = opts.inverse ?? false;
  const axes: { n: number; inner: number }[] = [];
  if (w > 1) axes.push({ n: w, inner: 1 });
  if (h > 1) axes.push({ n: h, inner: w });
  const plan = axes.map((ax) => ({ ...ax, radices: fftRadices(ax.n, opts.radix ?? 8) }));
  const passes = plan.reduce((a, ax) => a + ax.radices.length, 0);
  if (passes === 0) {
    const out = Tensor.empty(z.shape);
    gpu.copy(z.buffer, 0, out.buffer, 0, z.size * 4);
    return out;
  }
  let src = z;
  let spare: Tensor | null = null;
  let done = 0;
  for (const { n, inner, radices } of plan) {
    const tw = twiddles(n);
    let p = 1;
    for (const radix of radices) {
      const total = (planes * h * w) / radix;
      const dst: Tensor = spare ?? Tensor.empty(z.shape);
      const last = ++done === passes;
      gpu.dispatch(PASS_KERNEL[radix], [src.buffer, tw.buffer, dst.buffer], {
        total, n, half: n / radix, p, inner, sign: inverse ? -1 : 1, scale: inverse && last ? 1 / (h * w) : 1,
      }, total);
      spare = src === z ? null : src;
      src = dst;
      p *= radix;
    }
  }
  spare?.dispose();
  return src;
}

/** Placement of an h×w image centred in a P×Q plane. */
export interface PadWindow {
  ph: number;
  pw: number;
  top: number;
  left: number;
}

/** Centre an h×w image in the next power-of-two plane of each axis. */
export function pow2Window(h: number, w: number): PadWindow {
  const ph = nextPow2(h);
  const pw = nextPow2(w);
  return { ph, pw, top: Math.floor((ph - h) / 2), left: Math.floor((pw - w) / 2) };
}

/**
 * Real planes [..., h, w] → complex planes [..., P, Q, 2], mirror-padded (reflect-101) around (top, left).
 * With `pairChannels` = C (x is [N, C, h, w] or [C, h, w]), channels 2q and 2q + 1 of each image share one
 * complex plane (real, imaginary): the result is [N, ⌈C/2⌉, P, Q, 2]. Only for real, even spectral filters.
 */
export function mirrorPadComplex(x: Tensor, win: PadWindow, opts: { pairChannels?: number } = {}): Tensor {
  const s = x.shape;
  if (x.dtype !== 'f32' || s.length < 2) throw new Error(`mirrorPadComplex: expects f32 planes [..., H, W], got ${fmt(s)}`);
  const h = s[s.length - 2];
  const w = s[s.length - 1];
  const { ph, pw, top, left } = win;
  if (top < 0 || left < 0 || top + h > ph || left + w > pw) {
    throw new Error(`mirrorPadComplex: a ${h}×${w} image at (${top}, ${left}) does not fit a ${ph}×${pw} plane`);
  }
  const pc = opts.pairChannels ?? 0;
  let lead = s.slice(0, -2);
  if (pc > 0) {
    const images = x.size / (pc * h * w);
    if (!Number.isInteger(images) || s[s.length - 3] !== pc) throw new Error(`mirrorPadComplex: cannot pair ${pc} channels of ${fmt(s)}`);
    lead = [images, Math.ceil(pc / 2)];
  }
  const out = Tensor.empty([...lead, ph, pw, 2]);
  const total = out.size / 2;
  getGpu().dispatch(K_PAD, [x.buffer, out.buffer], { total, h, w, ph, pw, top, left, clip01: 0, pair_c: pc }, total);
  return out;
}

/**
 * The real part of the h×w window at (top, left) of complex planes [..., P, Q, 2] → [..., h, w]; with
 * `pairChannels` = C, undoes mirrorPadComplex's pairing: [N, ⌈C/2⌉, P, Q, 2] → [N, C, h, w].
 */
export function cropReal(z: Tensor, h: number, w: number, top: number, left: number, opts: { clip01?: boolean; pairChannels?: number } = {}): Tensor {
  const { planes, h: ph, w: pw } = complexDims(z, 'cropReal');
  if (top < 0 || left < 0 || top + h > ph || left + w > pw) {
    throw new Error(`cropReal: window ${h}×${w} at (${top}, ${left}) exceeds the ${ph}×${pw} plane`);
  }
  const pc = opts.pairChannels ?? 0;
  let lead = z.shape.slice(0, -3);
  if (pc > 0) {
    const cp = Math.ceil(pc / 2);
    if (planes % cp !== 0) throw new Error(`cropReal: ${planes} planes do not hold images of ${pc} paired channels`);
    lead = [planes / cp, pc];
  }
  const out = Tensor.empty([...lead, h, w]);
  getGpu().dispatch(K_CROP, [z.buffer, out.buffer], { total: out.size, h, w, ph, pw, top, left, clip01: opts.clip01 ? 1 : 0, pair_c: pc }, out.size);
  return out;
}
