// Strided copy: the one data-moving kernel behind permute/transpose, slice (and its scatter
// backward), concat and expand/broadcastTo.
//   for each multi-index c over the copy region d0..d5 (innermost last, unused leading dims = 1):
//     out[doff + Σ c_k·ds_k] = x[soff + Σ c_k·ss_k]
// Source strides ss express the view being read (a permutation of the input's row-major strides,
// a slice's start/step, 0 along broadcast dims); destination strides ds are row-major for a fresh
// output, or the strides of a bigger tensor when writing a part of it (concat, slice backward).
// The host coalesces dims that are contiguous in both source and destination first, so most
// copies run at rank 1–3. Elements are moved as u32 bits, so one pipeline serves f32, i32 and u32.
// One invocation per element, WG = 256; big grids fold into y (i = gid.x + gid.y·nwg.x·WG).
// Bench: npm run bench -- permute

override WG: u32 = 256;

struct Params {
  n: u32,
  soff: u32,
  doff: u32,
  d0: u32, d1: u32, d2: u32, d3: u32, d4: u32, d5: u32,
  ss0: u32, ss1: u32, ss2: u32, ss3: u32, ss4: u32, ss5: u32,
  ds0: u32, ds1: u32, ds2: u32, ds3: u32, ds4: u32, ds5: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn copy_strided(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  var r = i;
  let c5 = r % p.d5; r = r / p.d5;
  let c4 = r % p.d4; r = r / p.d4;
  let c3 = r % p.d3; r = r / p.d3;
  let c2 = r % p.d2; r = r / p.d2;
  let c1 = r % p.d1; r = r / p.d1;
  let c0 = r;
  let src = p.soff + c0 * p.ss0 + c1 * p.ss1 + c2 * p.ss2 + c3 * p.ss3 + c4 * p.ss4 + c5 * p.ss5;
  let dst = p.doff + c0 * p.ds0 + c1 * p.ds1 + c2 * p.ds2 + c3 * p.ds3 + c4 * p.ds4 + c5 * p.ds5;
  out[dst] = x[src];
}
