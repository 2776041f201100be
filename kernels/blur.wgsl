// Separable Gaussian blur (cv2.GaussianBlur semantics) of image planes [B, H, W], B = N images · C channels.
// blur_h filters along rows, blur_v along columns; the host runs h then v (OpenCV's row-then-column order).
// Weights: one row of 2R+1 taps per image (table [N, 2R+1], centred; shorter kernels are zero-padded),
// computed and normalised on the host in float64 by OpenCV's rules. Borders fold each tap index:
// 0 reflect-101 (cv2 default), 1 reflect (scipy 'reflect'), 2 replicate, 3 constant 0.
// One invocation per output element; WG = 256; 1-D grids fold into y.
// Bench: npm run bench -- discrepancy-kernels

override WG: u32 = 256;

struct Params {
  total: u32,
  h: u32,
  w: u32,
  planes: u32,  // channels per image
  radius: u32,  // R: taps are −R..R
  border: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// Source index for position i of an n-long line, or −1 for "outside, value 0".
fn fold(i: i32, n: i32) -> i32 {
  if (i >= 0 && i < n) { return i; }
  switch p.border {
    case 0u: {
      if (n == 1) { return 0; }
      let period = 2 * (n - 1);
      var m = i % period;
      if (m < 0) { m += period; }
      return select(m, period - m, m >= n);
    }
    case 1u: {
      let period = 2 * n;
      var m = i % period;
      if (m < 0) { m += period; }
      return select(m, period - 1 - m, m >= n);
    }
    case 2u: { return clamp(i, 0, n - 1); }
    default: { return -1; }
  }
}

fn filterLine(t: u32, lineStart: u32, pos: i32, n: i32, step: u32) -> f32 {
  let plane = t / (p.w * p.h);
  let wbase = (plane / p.planes) * (2u * p.radius + 1u);
  let r = i32(p.radius);
  var acc = 0.0;
  for (var k = -r; k <= r; k++) {
    let j = fold(pos + k, n);
    if (j >= 0) {
      acc += weights[wbase + u32(k + r)] * src[lineStart + u32(j) * step];
    }
  }
  return acc;
}

@compute @workgroup_size(WG)
fn blur_h(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.total) { return; }
  let x = t % p.w;
  dst[t] = filterLine(t, t - x, i32(x), i32(p.w), 1u);
}

@compute @workgroup_size(WG)
fn blur_v(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.total) { return; }
  let y = (t / p.w) % p.h;
  dst[t] = filterLine(t, t - y * p.w, i32(y), i32(p.h), p.w);
}
