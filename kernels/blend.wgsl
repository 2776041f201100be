// Masked blending and per-pixel mask helpers of the soft-discrepancy generator (method spec §3.2).
//   blend:        out = m·r·source + (1 − m·r)·target, images [N, C, H, W], mask [N, 1, H, W] (mask_stride = H·W)
//                 or one [H, W] mask for every image (mask_stride 0), r a per-image blend ratio (table [N]).
//   threshold:    out = x ≥ t ? 1 : 0.
//   scale_by_max: out = x · r / max, with max per plane (a [planes] tensor, e.g. a max reduction) and r per
//                 plane (table [planes]); an all-zero plane (max ≤ 0) gives 0 instead of NaN.
// One invocation per output element; WG = 256; 1-D grids fold into y.
// Bench: npm run bench -- discrepancy-kernels

override WG: u32 = 256;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

struct BlendParams {
  total: u32,
  hw: u32,
  c: u32,
  mask_stride: u32,
}
@group(0) @binding(0) var<uniform> bp: BlendParams;
@group(0) @binding(1) var<storage, read> source_img: array<f32>;
@group(0) @binding(2) var<storage, read> target_img: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read> ratio: array<f32>;
@group(0) @binding(5) var<storage, read_write> blend_dst: array<f32>;

@compute @workgroup_size(WG)
fn blend(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= bp.total) { return; }
  let img = t / (bp.hw * bp.c);
  let m = mask[img * bp.mask_stride + t % bp.hw] * ratio[img];
  blend_dst[t] = m * source_img[t] + (1.0 - m) * target_img[t];
}

struct MaskParams {
  total: u32,
  hw: u32,
  t: f32,
}
@group(0) @binding(0) var<uniform> mp: MaskParams;
@group(0) @binding(1) var<storage, read> mx: array<f32>;
@group(0) @binding(2) var<storage, read_write> threshold_dst: array<f32>;

@compute @workgroup_size(WG)
fn threshold(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= mp.total) { return; }
  threshold_dst[t] = select(0.0, 1.0, mx[t] >= mp.t);
}

@group(0) @binding(2) var<storage, read> plane_max: array<f32>;
@group(0) @binding(3) var<storage, read> plane_scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> scaled_dst: array<f32>;

@compute @workgroup_size(WG)
fn scale_by_max(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= mp.total) { return; }
  let plane = t / mp.hw;
  let m = plane_max[plane];
  scaled_dst[t] = select(0.0, mx[t] * (plane_scale[plane] / m), m > 0.0);
}
