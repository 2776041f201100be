// Colour and sharpening ops of the SBI spatial alteration pool, on images [N, C, H, W] in [0, 1]
// (float semantics of albumentations 1.x over OpenCV), one parameter row per image:
//   channel_affine: out = a_c·x + b_c per channel (table [N, 2C]: a_0..a_{C−1}, b_0..b_{C−1}), optionally
//                   clipped to [0, 1]. RGBShift is a = 1, b = shift; RandomBrightnessContrast is a = 1 + contrast,
//                   b = brightness (brightness_by_max).
//   hsv_shift:      cv2 RGB→HSV (float: H in degrees [0, 360), S, V in [0, 1], with OpenCV's FLT_EPSILON
//                   guards), H += dh mod 360, S += ds and V += dv clipped to [0, 1], HSV→RGB. C = 3 (RGB).
//                   Table [N, 4]: dh, ds, dv, unused.
//   filter3x3:      cv2.filter2D with a 3×3 kernel (correlation), border reflect-101, optional clip.
//                   Table [N, 9] row-major. Sharpen builds its kernel on the host.
// One invocation per output element (per pixel for hsv_shift); WG = 256; 1-D grids fold into y.
// Bench: npm run bench -- discrepancy-kernels

override WG: u32 = 256;
const FLT_EPSILON: f32 = 1.1920928955078125e-7;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

struct Params {
  total: u32,
  h: u32,
  w: u32,
  c: u32,
  clip01: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

fn finish(v: f32) -> f32 {
  return select(v, clamp(v, 0.0, 1.0), p.clip01 != 0u);
}

@compute @workgroup_size(WG)
fn channel_affine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.total) { return; }
  let plane = t / (p.h * p.w);
  let ch = plane % p.c;
  let row = (plane / p.c) * 2u * p.c;
  dst[t] = finish(table[row + ch] * src[t] + table[row + p.c + ch]);
}

fn hsvToRgb(hsv: vec3<f32>) -> vec3<f32> {
  let s = hsv.y;
  let v = hsv.z;
  if (s == 0.0) { return vec3<f32>(v); }
  var h = hsv.x * (6.0 / 360.0);
  h = h - 6.0 * floor(h / 6.0);
  var sector = i32(floor(h));
  h -= f32(sector);
  if (sector < 0 || sector >= 6) { sector = 0; h = 0.0; }
  let t0 = v;
  let t1 = v * (1.0 - s);
  let t2 = v * (1.0 - s * h);
  let t3 = v * (1.0 - s * (1.0 - h));
  switch sector {
    case 0: { return vec3<f32>(t0, t3, t1); }
    case 1: { return vec3<f32>(t2, t0, t1); }
    case 2: { return vec3<f32>(t1, t0, t3); }
    case 3: { return vec3<f32>(t1, t2, t0); }
    case 4: { return vec3<f32>(t3, t1, t0); }
    default: { return vec3<f32>(t0, t1, t2); }
  }
}

@compute @workgroup_size(WG)
fn hsv_shift(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);  // pixel index over N·H·W
  if (t >= p.total) { return; }
  let hw = p.h * p.w;
  let img = t / hw;
  let base = img * 3u * hw + t % hw;
  let r = src[base];
  let g = src[base + hw];
  let b = src[base + 2u * hw];
  let v = max(max(r, g), b);
  let vmin = min(min(r, g), b);
  var diff = v - vmin;
  var s = diff / (abs(v) + FLT_EPSILON);
  diff = 60.0 / (diff + FLT_EPSILON);
  var h: f32;
  if (v == r) { h = (g - b) * diff; } else if (v == g) { h = (b - r) * diff + 120.0; } else { h = (r - g) * diff + 240.0; }
  if (h < 0.0) { h += 360.0; }
  let row = img * 4u;
  h = h + table[row];
  h = h - 360.0 * floor(h / 360.0);
  s = clamp(s + table[row + 1u], 0.0, 1.0);
  let val = clamp(v + table[row + 2u], 0.0, 1.0);
  let rgb = hsvToRgb(vec3<f32>(h, s, val));
  dst[base] = rgb.x;
  dst[base + hw] = rgb.y;
  dst[base + 2u * hw] = rgb.z;
}

// Reflect-101 for an index at most one pixel outside [0, n): −1 → 1, n → n − 2 (0 when n = 1).
fn mirror1(i: i32, n: i32) -> u32 {
  if (i < 0) { return u32(min(1, n - 1)); }
  if (i >= n) { return u32(max(0, n - 2)); }
  return u32(i);
}

@compute @workgroup_size(WG)
fn filter3x3(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.total) { return; }
  let x = i32(t % p.w);
  let y = i32((t / p.w) % p.h);
  let plane = t / (p.h * p.w);
  let base = plane * p.h * p.w;
  let k = (plane / p.c) * 9u;
  let h = i32(p.h);
  let w = i32(p.w);
  // Three rows and three columns, folded once (not per tap).
  let r0 = base + mirror1(y - 1, h) * p.w;
  let r1 = base + u32(y) * p.w;
  let r2 = base + mirror1(y + 1, h) * p.w;
  let c0 = mirror1(x - 1, w);
  let c1 = u32(x);
  let c2 = mirror1(x + 1, w);
  var acc = table[k] * src[r0 + c0] + table[k + 1u] * src[r0 + c1] + table[k + 2u] * src[r0 + c2];
  acc += table[k + 3u] * src[r1 + c0] + table[k + 4u] * src[r1 + c1] + table[k + 5u] * src[r1 + c2];
  acc += table[k + 6u] * src[r2 + c0] + table[k + 7u] * src[r2 + c1] + table[k + 8u] * src[r2 + c2];
  dst[t] = finish(acc);
}
