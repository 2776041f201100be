// Output sizes and padding for convolution-like ops (conv, depthwise, pooling), NCHW (docs/layout.md).
// Pure arithmetic, no GPU.

/** PyTorch symmetric padding (a number or [ph, pw]) or TensorFlow "SAME". */
export type Padding = number | readonly [number, number] | 'same';

/** Resolved padding of one spatial axis: `before` (top/left) and `after` (bottom/right). */
export interface AxisPad {
  before: number;
  after: number;
}

/** Output length of a sliding window over `n` samples. */
export function convOutSize(n: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  const span = (k - 1) * dilation + 1;
  return Math.floor((n + before + after - span) / stride) + 1;
}

/** TensorFlow SAME: out = ceil(n / stride); the odd pixel of the total padding goes after (bottom/right). */
export function samePad(n: number, k: number, stride: number, dilation: number): AxisPad {
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - n, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before };
}

/** Padding of the H and W axes for the kernel size, stride and dilation given. */
export function resolvePadding(
  padding: Padding,
  inH: number, inW: number,
  kh: number, kw: number,
  stride: readonly [number, number],
  dilation: readonly [number, number],
): [AxisPad, AxisPad] {
  if (padding === 'same') return [samePad(inH, kh, stride[0], dilation[0]), samePad(inW, kw, stride[1], dilation[1])];
  const [ph, pw] = typeof padding === 'number' ? [padding, padding] : padding;
  for (const p of [ph, pw]) {
    if (!Number.isInteger(p) || p < 0) throw new Error(`padding must be a non-negative integer, 'same', or a pair, got ${String(padding)}`);
  }
  return [{ before: ph, after: ph }, { before: pw, after: pw }];
}

/** A number or an [h, w] pair as a pair of positive integers. */
export function pair(v: number | readonly [number, number] | undefined, dflt: number, what: string): [number, number] {
  const [a, b] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < 1) {
    throw new Error(`${what} must be a positive integer or a pair of them, got ${String(v)}`);
  }
  return [a, b];
}

/** Everything the conv kernels need to know about one convolution, resolved from shapes and options. */
export interface ConvGeometry {
  N: number; H: number; W: number; OH: number; OW: number;
  /** channels per group: input, output */
  Ci: number; Co: number;
  groups: number;
  kh: number; kw: number;
  sh: number; sw: number; dh: number; dw: number;
  /** padding top / left; bottom / right is implied by OH, OW (SAME puts the odd pixel there) */
  pt: number; pl: number;
}

export interface WindowOptions {
  stride?: number | readonly [number, number];
  /** symmetric padding (number or [ph, pw]) or TensorFlow 'same'; default 0 */
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** x [N, C, H, W] and w [Cout, C/groups, kh, kw] with options → the geometry, or a clear error. */
export function convGeometry(x: readonly number[], w: readonly number[], o: WindowOptions, op = 'conv2d'): ConvGeometry {
  if (x.length !== 4 || w.length !== 4) throw new Error(`${op}: expects x [N, C, H, W] and w [Cout, Cin/groups, kh, kw], got ${fmt(x)} and ${fmt(w)}`);
  const [N, C, H, W] = x;
  const [Cout, Cig, kh, kw] = w;
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0 || Cout % groups !== 0) {
    throw new Error(`${op}: groups = ${groups} must divide the input channels ${C} and output channels ${Cout}`);
  }
  if (Cig !== C / groups) throw new Error(`${op}: weight ${fmt(w)} needs ${C / groups} input channels per group (x ${fmt(x)}, groups ${groups})`);
  const [sh, sw] = pair(o.stride, 1, `${op}: stride`);
  const [dh, dw] = pair(o.dilation, 1, `${op}: dilation`);
  const [ph, pw] = resolvePadding(o.padding ?? 0, H, W, kh, kw, [sh, sw], [dh, dw]);
  const OH = convOutSize(H, kh, sh, dh, ph.before, ph.after);
  const OW = convOutSize(W, kw, sw, dw, pw.before, pw.after);
  if (OH < 1 || OW < 1) throw new Error(`${op}: the ${kh}×${kw} window (dilation ${dh}×${dw}) does not fit input ${fmt(x)} with its padding`);
  return { N, H, W, OH, OW, Ci: Cig, Co: Cout / groups, groups, kh, kw, sh, sw, dh, dw, pt: ph.before, pl: pw.before };
}
