// Per-(sample, channel) scaling of NCHW planes, the gate of squeeze-and-excite: y = x[n,c,h,w]·s[n,c].
//   channel_scale       out[i] = x[i]·s[plane(i)]; also the input gradient (gx = gy·s), called with
//                       gy in place of x. RUNS (planes ≥ 128 px): plane-major grid, 4 pixels per
//                       invocation, no division; else one element per invocation.
//   channel_scale4      HW % 4 == 0: one vec4 (always inside one plane) per invocation.
//   se_grad_input(4)    squeeze-excite's whole input gradient gy·s + gp/HW in one pass (below).
//   channel_scale_grad  gs[n,c] = Σ_hw gy·x: one workgroup (WG = 64 lanes) per plane, lane-strided
//                       products, workgroup tree reduction; no atomics (GPUs).
//   channel_scale_grad_rows(4)  the same for CPU adapters, no barrier: one invocation per
//                       (plane, chunk); _rows4 reads vec4s (HW and chunk multiples of 4). With
//                       nchunk > 1 the host sums the [planes, nchunk] partials (reduce.ts).
// Layout: x, y [planes = N·C, HW] contiguous; s [planes]. 1-D grids fold into y.
// Bench: npm run bench -- cnn-ops

override WG: u32 = 64;
override RUNS: bool = false;

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
  if (RUNS) {
    // Grid (⌈HW/4/WG⌉, planes over y·z): a run of 4 pixels of one plane, the gate read once.
    let plane = gid.y + gid.z * nwg.y;
    let k0 = gid.x * 4u;
    if (plane >= p.planes || k0 >= p.HW) { return; }
    let g = s[plane];
    let base = plane * p.HW + k0;
    for (var i = base; i < base + min(4u, p.HW - k0); i = i + 1u) { out[i] = x[i] * g; }
    return;
  }
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

// ---- channel_scale_grad_rows / _rows4: x = gy, s = the forward's x → out [planes, nchunk] ----
struct RowParams {
  rows: u32,
  len: u32,
  chunk: u32,
  nchunk: u32,
}

@group(0) @binding(0) var<uniform> rp: RowParams;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> s4: array<vec4<f32>>;

// Thread t's (plane, chunk) as [j0, j1) of the flat index space; j0 == j1 == 0 past the end.
fn row_span(t: u32) -> vec2<u32> {
  if (t >= rp.rows * rp.nchunk) { return vec2<u32>(0u, 0u); }
  let row = t / rp.nchunk;
  let k0 = (t - row * rp.nchunk) * rp.chunk;
  return vec2<u32>(row * rp.len + k0, row * rp.len + min(rp.len, k0 + rp.chunk));
}

@compute @workgroup_size(WG)
fn channel_scale_grad_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= rp.rows * rp.nchunk) { return; }
  let sp = row_span(t);
  var acc = 0.0;
  for (var j = sp.x; j < sp.y; j = j + 1u) { acc = acc + x[j] * s[j]; }
  out[t] = acc;
}

@compute @workgroup_size(WG)
fn channel_scale_grad_rows4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= rp.rows * rp.nchunk) { return; }
  let sp = row_span(t);
  var acc = vec4<f32>(0.0);
  for (var j = sp.x / 4u; j < sp.y / 4u; j = j + 1u) { acc = acc + x4[j] * s4[j]; }
  out[t] = acc.x + acc.y + acc.z + acc.w;
}

@group(0) @binding(3) var<storage, read_write> out4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn channel_scale4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let hw4 = p.HW / 4u;
  if (i >= p.planes * hw4) { return; }
  out4[i] = x4[i] * s[i / hw4];
}

// ---- se_grad_input(4): the squeeze-excite input gradient in one pass, x feeding both the pool and
// the gate: gx = gy·s[plane] + gp[plane]/HW (gp: the pooled mean's gradient), instead of
// channel_scale + global_avg_grad + an accumulating add (3 passes over an x-sized tensor).
// Reads gy (binding 1), s (2), gp (3); writes gx (4). se_grad_input4: HW % 4 == 0, one vec4 each.
@group(0) @binding(3) var<storage, read> gp: array<f32>;
@group(0) @binding(4) var<storage, read_write> gx: array<f32>;
@group(0) @binding(4) var<storage, read_write> gx4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn se_grad_input(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.planes * p.HW) { return; }
  let plane = i / p.HW;
  gx[i] = x[i] * s[plane] + gp[plane] / f32(p.HW);
}

@compute @workgroup_size(WG)
fn se_grad_input4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let hw4 = p.HW / 4u;
  if (i >= p.planes * hw4) { return; }
  let plane = i / hw4;
  gx4[i] = x4[i] * s[plane] + gp[plane] / f32(p.HW);
}
