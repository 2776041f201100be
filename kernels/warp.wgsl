// Geometric resampling of image planes [B, H, W] (B = N images · C channels, row-major f32):
//   warp_affine: dst(x, y) = src(a0·x + a1·y + a2, a3·x + a4·y + a5), the inverse (dst → src) map of
//                each image in a table [N, 6]; OpenCV warpAffine semantics (pixel centres at integers).
//   remap:       dst(x, y) = src(mapX(x, y), mapY(x, y)), OpenCV remap; with `relative` the maps are
//                displacements added to (x, y) (albumentations ElasticTransform). Maps are shared by
//                all images (map_stride 0) or one [oh, ow] pair per image (map_stride = oh·ow).
//   resize:      separable two-tap interpolation from host tables (per output column and row: source
//                index and weight, computed in float64 as cv2.resize does for INTER_LINEAR, half-pixel
//                centres, no antialias; INTER_NEAREST is the same with weight 0).
// Sampling: bilinear = floor + fractions over 4 taps, each tap through the border rule; nearest =
//   floor(v + 0.5). Border: 0 constant (value), 1 reflect-101 (cv2.BORDER_REFLECT_101), 2 replicate.
// One invocation per output element on a 3-D grid (x: columns in groups of WG = 256, y: rows, z: planes),
// so no integer division per invocation (a CPU adapter cannot vectorise it). Bilinear samples whose four
// taps are inside the image skip the border rule.
// Bench: npm run bench -- discrepancy-kernels

override WG: u32 = 256;

fn reflect101(i: i32, n: i32) -> i32 {
  if (i >= 0 && i < n) { return i; }
  if (n == 1) { return 0; }
  let period = 2 * (n - 1);
  var m = i % period;
  if (m < 0) { m += period; }
  if (m >= n) { m = period - m; }
  return m;
}

struct SampleParams {
  total: u32,
  h: u32,
  w: u32,
  oh: u32,
  ow: u32,
  planes: u32,     // channels per image
  interp: u32,     // 0 bilinear, 1 nearest
  border: u32,     // 0 constant, 1 reflect-101, 2 replicate
  value: f32,      // constant border value
  map_stride: u32, // remap: 0 = one map for all images, else oh·ow
  relative: u32,   // remap: maps hold displacements
}
@group(0) @binding(0) var<uniform> sp: SampleParams;

// Shared by warp_affine and remap (each binds its own source at binding 1).
@group(0) @binding(1) var<storage, read> src: array<f32>;

fn tap(base: u32, y: i32, x: i32) -> f32 {
  let h = i32(sp.h);
  let w = i32(sp.w);
  var yy = y;
  var xx = x;
  let inside = y >= 0 && y < h && x >= 0 && x < w;
  if (inside) {
    return src[base + u32(y) * sp.w + u32(x)];
  }
  if (sp.border == 0u) {
    return sp.value;
  } else if (sp.border == 1u) {
    yy = reflect101(y, h);
    xx = reflect101(x, w);
  } else {
    yy = clamp(y, 0, h - 1);
    xx = clamp(x, 0, w - 1);
  }
  return src[base + u32(yy) * sp.w + u32(xx)];
}

fn sampleAt(base: u32, sy_in: f32, sx_in: f32) -> f32 {
  // Keep far-away coordinates representable as i32 (they only ever hit the border).
  let sy = clamp(sy_in, -1.0e7, 1.0e7);
  let sx = clamp(sx_in, -1.0e7, 1.0e7);
  if (sp.interp == 1u) {
    return tap(base, i32(floor(sy + 0.5)), i32(floor(sx + 0.5)));
  }
  let fy0 = floor(sy);
  let fx0 = floor(sx);
  let fy = sy - fy0;
  let fx = sx - fx0;
  let y0 = i32(fy0);
  let x0 = i32(fx0);
  if (y0 >= 0 && x0 >= 0 && y0 + 1 < i32(sp.h) && x0 + 1 < i32(sp.w)) {
    // All four taps inside: no border rule (the common case; whole SIMD groups skip the slow path).
    let i = base + u32(y0) * sp.w + u32(x0);
    let up = mix(src[i], src[i + 1u], fx);
    let down = mix(src[i + sp.w], src[i + sp.w + 1u], fx);
    return mix(up, down, fy);
  }
  let top = mix(tap(base, y0, x0), tap(base, y0, x0 + 1), fx);
  let bottom = mix(tap(base, y0 + 1, x0), tap(base, y0 + 1, x0 + 1), fx);
  return mix(top, bottom, fy);
}

// ---- warp_affine ----
@group(0) @binding(2) var<storage, read> affine: array<f32>;
@group(0) @binding(3) var<storage, read_write> warp_dst: array<f32>;

@compute @workgroup_size(WG)
fn warp_affine(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= sp.ow) { return; }
  let t = (gid.z * sp.oh + gid.y) * sp.ow + gid.x;
  let x = f32(gid.x);
  let y = f32(gid.y);
  let plane = gid.z;
  let m = (plane / sp.planes) * 6u;
  let sx = affine[m] * x + affine[m + 1u] * y + affine[m + 2u];
  let sy = affine[m + 3u] * x + affine[m + 4u] * y + affine[m + 5u];
  warp_dst[t] = sampleAt(plane * sp.h * sp.w, sy, sx);
}

// ---- remap ----
@group(0) @binding(2) var<storage, read> map_x: array<f32>;
@group(0) @binding(3) var<storage, read> map_y: array<f32>;
@group(0) @binding(4) var<storage, read_write> remap_dst: array<f32>;

@compute @workgroup_size(WG)
fn remap(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= sp.ow) { return; }
  let pix = gid.y * sp.ow + gid.x;
  let plane = gid.z;
  let t = plane * sp.oh * sp.ow + pix;
  let mi = (plane / sp.planes) * sp.map_stride + pix;
  var sx = map_x[mi];
  var sy = map_y[mi];
  if (sp.relative != 0u) {
    sx += f32(gid.x);
    sy += f32(gid.y);
  }
  remap_dst[t] = sampleAt(plane * sp.h * sp.w, sy, sx);
}

// ---- resize ----
struct ResizeParams {
  total: u32,
  h: u32,
  w: u32,
  oh: u32,
  ow: u32,
}
@group(0) @binding(0) var<uniform> rp: ResizeParams;
@group(0) @binding(1) var<storage, read> resize_src: array<f32>;
// [ow] (x0, fx) pairs, then [oh] (y0, fy) pairs; indices stored as exact small floats.
@group(0) @binding(2) var<storage, read> taps: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> resize_dst: array<f32>;

@compute @workgroup_size(WG)
fn resize(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= rp.ow) { return; }
  let ox = gid.x;
  let oy = gid.y;
  let plane = gid.z;
  let t = (plane * rp.oh + oy) * rp.ow + ox;
  let tx = taps[ox];
  let ty = taps[rp.ow + oy];
  let x0 = u32(tx.x);
  let y0 = u32(ty.x);
  let x1 = min(x0 + 1u, rp.w - 1u);
  let y1 = min(y0 + 1u, rp.h - 1u);
  let base = plane * rp.h * rp.w;
  let top = mix(resize_src[base + y0 * rp.w + x0], resize_src[base + y0 * rp.w + x1], tx.y);
  let bottom = mix(resize_src[base + y1 * rp.w + x0], resize_src[base + y1 * rp.w + x1], tx.y);
  resize_dst[t] = mix(top, bottom, ty.y);
}
