// Per-(sample, channel) scaling of NCHW planes, the gate of squeeze-and-excite: y = x[n,c,h,w]·s[n,c].
//   channel_scale       one invocation per element: out[i] = x[i]·s[i / HW]. Also the input
//                       gradient (gx = gy·s), called with gy in place of x.
//   channel_scale_grad  gs[n,c] = Σ_hw gy·x: one workgroup (WG = 64 lanes) per plane, lane-strided
//                       products, workgroup tree reduction; no atomics.
// Layout: x, y [planes = N·C, HW] contiguous; s [planes]. 1-D grids fold into y.
// Bench: npx tsx bench/run.ts scale

override WG: u32 = 64;

struct Params {
  planes: u32,
  HW: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> s: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn channel_scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.planes * p.HW) { return; }
  out[i] = x[i] * s[i / p.HW];
}

// channel_scale_grad: x = gy, s = the forward's x (both [planes, HW]); out = gs [planes].
var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(WG)
fn channel_scale_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
  let plane = wid.x + wid.y * nwg.x;
  var acc = 0.0;
  if (plane < p.planes) {
    let base = plane * p.HW;
    for (var j = lid; j < p.HW; j = j + WG) { acc = acc + x[base + j] * s[base + j]; }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) { red[lid] = red[lid] + red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u && plane < p.planes) { out[plane] = red[0]; }
}
