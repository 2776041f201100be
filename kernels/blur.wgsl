// Separable Gaussian blur (cv2.GaussianBlur semantics) of image planes [B, H, W], B = N images · C channels.
// blur_h filters along rows, blur_v along columns; the host runs h then v (OpenCV's row-then-column order).
// Weights: one row of 2R+1 taps per image (table [N, 2R+1], centred; shorter kernels are zero-padded),
// computed and normalised on the host in float64 by OpenCV's rules. Borders fold each tap index:
// 0 reflect-101 (cv2 default), 1 reflect (scipy 'reflect'), 2 replicate, 3 constant 0.
// One invocation per output element on a 3-D grid (x: columns in groups of WG = 256, y: rows, z: planes);
// outputs whose whole window is inside the line skip the border rule.
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

fn filterLine(plane: u32, lineStart: u32, pos: i32, n: i32, step: u32) -> f32 {
  let wbase = (plane / p.planes) * (2u * p.radius + 1u);
  let r = i32(p.radius);
  var acc = 0.0;
  if (pos >= r && pos + r < n) {
    // Interior: every tap inside, no border rule (whole SIMD groups skip the folding loop).
    var at = lineStart + u32(pos - r) * step;
    for (var k = 0u; k <= 2u * p.radius; k++) {
      acc += weights[wbase + k] * src[at];
      at += step;
    }
    return acc;
  }
  for (var k = -r; k <= r; k++) {
    let j = fold(pos + k, n);
    if (j >= 0) {
      acc += weights[wbase + u32(k + r)] * src[lineStart + u32(j) * step];
    }
  }
  return acc;
}

// 3-D grid: x = columns in groups of WG, y = rows, z = planes (no integer division per invocation).
@compute @workgroup_size(WG)
fn blur_h(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= p.w) { return; }
  let lineStart = (gid.z * p.h + gid.y) * p.w;
  dst[lineStart + gid.x] = filterLine(gid.z, lineStart, i32(gid.x), i32(p.w), 1u);
}

@compute @workgroup_size(WG)
fn blur_v(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= p.w) { return; }
  let colStart = gid.z * p.h * p.w + gid.x;
  dst[colStart + gid.y * p.w] = filterLine(gid.z, colStart, i32(gid.y), i32(p.h), p.w);
}
