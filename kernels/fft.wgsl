// 2-D complex FFT on power-of-two sizes, and the frequency-domain soft discrepancy around it.
//
// fft_pass4 / fft_pass8: one radix-R Stockham pass, R = 4 or 8: reads x[i + r·n/R], r < R, multiplies by
//   w^(r·k) (w = exp(∓2πi/(R·p)), k = i mod p), takes an R-point DFT and writes y[R(i − k) + k + r·p].
//   The default plan (fftRadices) uses radix 8 and one radix-2 or radix-4 pass first for the rest of log2(n):
//   a third of the radix-2 passes, hence a third of the memory traffic (lavapipe, 3×256²: radix 8 0.85,
//   radix 4 0.71, radix 2 0.17 GFLOP/s wall on a loaded 2-core machine).
// fft_pass: one radix-2 Stockham pass along one axis of a batch of complex planes [B, H, W] (vec2 =
//   re, im; row-major). Pass p (sub-transform size 1, 2, 4, …, n/2) reads x[i], x[i + n/2] and writes
//   y[2i − k], y[2i − k + p] with k = i mod p (out of place, ping-pong): after log2(n) passes the
//   output is in natural order with no bit reversal. Kept as the reference path (fft2d {radix: 2}).
//   Twiddles come from a host table w[j] = exp(−2πi j/n), j < n, computed in float64 (WGSL's sin/cos
//   only promise ~2^-11 absolute).
//   `sign` = −1 conjugates them for the inverse; `scale` (1/(H·W) on the last inverse pass) normalises.
//   Axis addressing: element q of line (b, c) is at b·n·inner + q·inner + c; inner = 1 along rows,
//   W along columns. The fastest invocation index runs over c, so column passes read contiguous memory.
// pad_complex: mirror padding (reflect-101, OpenCV's BORDER_REFLECT_101) of real planes [B, h, w] into
//   complex planes [B, P, Q], the image placed at (top, left). Paired mode (pair_c = C > 0): channels 2q and
//   2q + 1 of each image go to the real and imaginary parts of one plane, ⌈C/2⌉ planes per image. A real,
//   even spectral weight maps real inputs to real outputs, so both channels come back unmixed: half the FFTs.
// band_gain: multiply a centred spectrum by the real radial weight w(ρ) = 1 + (g − 1)·s(ρ), s a
//   raised-cosine step from 0 to 1 over [ρ_lo − hw, ρ_lo + hw], ρ = |(fy/(P/2), fx/(Q/2))| so that
//   ρ = 1 is the Nyquist frequency of each axis. Optional phase noise (spec §3.3 step 7): each bin also
//   turns by φ = s(ρ)·π·a·(2u − 1), u uniform from a hash of (seed, bin); φ is odd in frequency (the mirror
//   bin turns by −φ, self-mirrored bins not at all), so real inputs stay real. Two vec4 rows per image:
//   (ρ_lo, hw, g, a), (seed, unused ×3).
// crop_real: the real part of a window [top, top + h) × [left, left + w) of complex planes, optionally
//   clipped to [0, 1]; in paired mode channel 2q + 1 is the imaginary part of plane q.
// One invocation per butterfly (fft_pass*) or per element (others); WG = 256; 1-D grids fold into y.
// Bench: npm run bench -- discrepancy-kernels

override WG: u32 = 256;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// ---- fft_pass ----
struct PassParams {
  total: u32,  // lines · n/radix butterflies
  n: u32,      // axis length (power of two)
  half: u32,   // n / radix (butterflies per line)
  p: u32,      // sub-transform size of this pass
  inner: u32,  // element stride along the axis
  sign: f32,   // +1 forward, −1 inverse
  scale: f32,
}
@group(0) @binding(0) var<uniform> pp: PassParams;
@group(0) @binding(1) var<storage, read> pass_src: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> twiddles: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> pass_dst: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn fft_pass(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= pp.total) { return; }
  let c = t % pp.inner;
  let r = t / pp.inner;
  let i = r % pp.half;
  let base = (r / pp.half) * pp.n * pp.inner + c;
  let k = i & (pp.p - 1u);
  // exp(∓2πi k/(2p)) = w[k · n/(2p)]
  let tw = twiddles[k * (pp.half / pp.p)];
  let w = vec2<f32>(tw.x, pp.sign * tw.y);
  let u0 = pass_src[base + i * pp.inner];
  let v = pass_src[base + (i + pp.half) * pp.inner];
  let u1 = vec2<f32>(v.x * w.x - v.y * w.y, v.x * w.y + v.y * w.x);
  let j = 2u * i - k;
  pass_dst[base + j * pp.inner] = (u0 + u1) * pp.scale;
  pass_dst[base + (j + pp.p) * pp.inner] = (u0 - u1) * pp.scale;
}

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

fn twiddle(j: u32) -> vec2<f32> {
  let tw = twiddles[j];
  return vec2<f32>(tw.x, pp.sign * tw.y);
}

@compute @workgroup_size(WG)
fn fft_pass4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= pp.total) { return; }
  let q = pp.half;  // n / 4
  let c = t % pp.inner;
  let r = t / pp.inner;
  let i = r % q;
  let base = (r / q) * pp.n * pp.inner + c;
  let k = i & (pp.p - 1u);
  let step = k * (q / pp.p);  // w^k = exp(∓2πi k/(4p)) = table[k · n/(4p)]
  let a = pass_src[base + i * pp.inner];
  let b = cmul(pass_src[base + (i + q) * pp.inner], twiddle(step));
  let cc = cmul(pass_src[base + (i + 2u * q) * pp.inner], twiddle(2u * step));
  let d = cmul(pass_src[base + (i + 3u * q) * pp.inner], twiddle(3u * step));
  // 4-point DFT; −i·z = (z.y, −z.x) forward, +i·z for the inverse (sign = −1).
  let s0 = a + cc;
  let s1 = a - cc;
  let s2 = b + d;
  let e = b - d;
  let s3 = vec2<f32>(e.y, -e.x) * pp.sign;
  let j = 4u * (i - k) + k;
  pass_dst[base + j * pp.inner] = (s0 + s2) * pp.scale;
  pass_dst[base + (j + pp.p) * pp.inner] = (s1 + s3) * pp.scale;
  pass_dst[base + (j + 2u * pp.p) * pp.inner] = (s0 - s2) * pp.scale;
  pass_dst[base + (j + 3u * pp.p) * pp.inner] = (s1 - s3) * pp.scale;
}

// −i·z for the forward transform, +i·z for the inverse.
fn rotNeg(z: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(z.y, -z.x) * pp.sign;
}

const HALF_SQRT2: f32 = 0.70710678118654752;

@compute @workgroup_size(WG)
fn fft_pass8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= pp.total) { return; }
  let q = pp.half;  // n / 8
  let c = t % pp.inner;
  let r = t / pp.inner;
  let i = r % q;
  let base = (r / q) * pp.n * pp.inner + c;
  let k = i & (pp.p - 1u);
  let step = k * (q / pp.p);  // w^k = exp(∓2πi k/(8p)) = table[k · n/(8p)]
  let a0 = pass_src[base + i * pp.inner];
  let a1 = cmul(pass_src[base + (i + q) * pp.inner], twiddle(step));
  let a2 = cmul(pass_src[base + (i + 2u * q) * pp.inner], twiddle(2u * step));
  let a3 = cmul(pass_src[base + (i + 3u * q) * pp.inner], twiddle(3u * step));
  let a4 = cmul(pass_src[base + (i + 4u * q) * pp.inner], twiddle(4u * step));
  let a5 = cmul(pass_src[base + (i + 5u * q) * pp.inner], twiddle(5u * step));
  let a6 = cmul(pass_src[base + (i + 6u * q) * pp.inner], twiddle(6u * step));
  let a7 = cmul(pass_src[base + (i + 7u * q) * pp.inner], twiddle(7u * step));
  // 8-point DFT as two 4-point DFTs (even and odd inputs) and the W8^r combination.
  let es0 = a0 + a4;
  let es1 = a0 - a4;
  let es2 = a2 + a6;
  let es3 = rotNeg(a2 - a6);
  let os0 = a1 + a5;
  let os1 = a1 - a5;
  let os2 = a3 + a7;
  let os3 = rotNeg(a3 - a7);
  let e0 = es0 + es2;
  let e1 = es1 + es3;
  let e2 = es0 - es2;
  let e3 = es1 - es3;
  let o0 = os0 + os2;
  let o1 = os1 + os3;
  let o2 = os0 - os2;
  let o3 = os1 - os3;
  let w1 = HALF_SQRT2 * (o1 + rotNeg(o1));   // W8 · o1
  let w2 = rotNeg(o2);                        // W8² · o2
  let w3 = HALF_SQRT2 * (rotNeg(o3) - o3);   // W8³ · o3
  let j = 8u * (i - k) + k;
  let s = pp.p * pp.inner;
  let d = base + j * pp.inner;
  pass_dst[d] = (e0 + o0) * pp.scale;
  pass_dst[d + s] = (e1 + w1) * pp.scale;
  pass_dst[d + 2u * s] = (e2 + w2) * pp.scale;
  pass_dst[d + 3u * s] = (e3 + w3) * pp.scale;
  pass_dst[d + 4u * s] = (e0 - o0) * pp.scale;
  pass_dst[d + 5u * s] = (e1 - w1) * pp.scale;
  pass_dst[d + 6u * s] = (e2 - w2) * pp.scale;
  pass_dst[d + 7u * s] = (e3 - w3) * pp.scale;
}

// ---- pad_complex / crop_real ----
struct WindowParams {
  total: u32,  // output elements
  h: u32,      // real plane size
  w: u32,
  ph: u32,     // complex plane size
  pw: u32,
  top: u32,
  left: u32,
  clip01: u32,
  pair_c: u32, // 0: one real plane per complex plane; C: channels per image, paired
}
@group(0) @binding(0) var<uniform> wp: WindowParams;
@group(0) @binding(1) var<storage, read> pad_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> pad_dst: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> crop_src: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> crop_dst: array<f32>;

// OpenCV BORDER_REFLECT_101 (…c b | a b c d | c b…), folded as often as needed.
fn reflect101(i: i32, n: i32) -> u32 {
  if (i >= 0 && i < n) { return u32(i); }
  if (n == 1) { return 0u; }
  let period = 2 * (n - 1);
  var m = i % period;
  if (m < 0) { m += period; }
  if (m >= n) { m = period - m; }
  return u32(m);
}

@compute @workgroup_size(WG)
fn pad_complex(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= wp.total) { return; }
  let x = t % wp.pw;
  let y = (t / wp.pw) % wp.ph;
  let b = t / (wp.pw * wp.ph);
  let sy = reflect101(i32(y) - i32(wp.top), i32(wp.h));
  let sx = reflect101(i32(x) - i32(wp.left), i32(wp.w));
  let at = sy * wp.w + sx;
  let plane = wp.h * wp.w;
  if (wp.pair_c == 0u) {
    pad_dst[t] = vec2<f32>(pad_src[b * plane + at], 0.0);
    return;
  }
  let cp = (wp.pair_c + 1u) / 2u;
  let ch = 2u * (b % cp);
  let src = ((b / cp) * wp.pair_c + ch) * plane + at;
  var im = 0.0;
  if (ch + 1u < wp.pair_c) { im = pad_src[src + plane]; }
  pad_dst[t] = vec2<f32>(pad_src[src], im);
}

@compute @workgroup_size(WG)
fn crop_real(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= wp.total) { return; }
  let x = t % wp.w;
  let y = (t / wp.w) % wp.h;
  let b = t / (wp.w * wp.h);
  var cplane = b;
  var part = 0u;
  if (wp.pair_c != 0u) {
    cplane = (b / wp.pair_c) * ((wp.pair_c + 1u) / 2u) + (b % wp.pair_c) / 2u;
    part = (b % wp.pair_c) % 2u;
  }
  let z = crop_src[(cplane * wp.ph + y + wp.top) * wp.pw + x + wp.left];
  var v = select(z.x, z.y, part == 1u);
  if (wp.clip01 != 0u) { v = clamp(v, 0.0, 1.0); }
  crop_dst[t] = v;
}

// ---- band_gain ----
struct GainParams {
  total: u32,
  ph: u32,
  pw: u32,
  planes: u32,  // complex planes per image (channels): parameter row = plane / planes
}
@group(0) @binding(0) var<uniform> gp: GainParams;
@group(0) @binding(1) var<storage, read> gain_src: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> band: array<vec4<f32>>;  // 2 rows per image
@group(0) @binding(3) var<storage, read_write> gain_dst: array<vec2<f32>>;

// Signed frequency index of bin u of an n-point transform, over n/2 (Nyquist = ±1).
fn normFreq(u: u32, n: u32) -> f32 {
  let half = n / 2u;
  if (half == 0u) { return 0.0; }
  let s = select(i32(u), i32(u) - i32(n), u > half);
  return f32(s) / f32(half);
}

// PCG hash (Jarzynski & Olano 2020).
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Phase of bin (y, x) for a seed: odd under (y, x) → (−y, −x) mod (P, Q); in [−1, 1) before scaling.
fn phaseNoise(y: u32, x: u32, seed: u32) -> f32 {
  let lin = y * gp.pw + x;
  let mirror = ((gp.ph - y) % gp.ph) * gp.pw + (gp.pw - x) % gp.pw;
  if (lin == mirror) { return 0.0; }
  let u = f32(pcg(min(lin, mirror) ^ pcg(seed)) >> 8u) / 16777216.0;
  return select(-1.0, 1.0, lin < mirror) * (2.0 * u - 1.0);
}

@compute @workgroup_size(WG)
fn band_gain(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= gp.total) { return; }
  let x = t % gp.pw;
  let y = (t / gp.pw) % gp.ph;
  let plane = t / (gp.pw * gp.ph);
  let prm = band[2u * (plane / gp.planes)];  // (ρ_lo, half width, gain, phase amplitude)
  let fy = normFreq(y, gp.ph);
  let fx = normFreq(x, gp.pw);
  let rho = sqrt(fy * fy + fx * fx);
  var s: f32;
  if (prm.y <= 0.0) {
    s = select(0.0, 1.0, rho >= prm.x);
  } else {
    let u = clamp((rho - (prm.x - prm.y)) / (2.0 * prm.y), 0.0, 1.0);
    s = 0.5 - 0.5 * cos(3.14159265358979 * u);
  }
  let v = gain_src[t] * (1.0 + (prm.z - 1.0) * s);
  if (prm.w > 0.0 && s > 0.0) {
    let phi = 3.14159265358979 * prm.w * s * phaseNoise(y, x, u32(band[2u * (plane / gp.planes) + 1u].x));
    let r = vec2<f32>(cos(phi), sin(phi));
    gain_dst[t] = vec2<f32>(v.x * r.x - v.y * r.y, v.x * r.y + v.y * r.x);
  } else {
    gain_dst[t] = v;
  }
}
