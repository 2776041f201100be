// Strided copy: the one data-moving kernel behind permute/transpose, slice (and its scatter
// backward), concat and expand/broadcastTo.
//   for each multi-index c over the copy region d0..d5 (innermost last, unused leading dims = 1):
//     out[doff + Σ c_k·ds_k] = x[soff + Σ c_k·ss_k]
// Source strides ss express the view being read (a permutation of the input's row-major strides,
// a slice's start/step, 0 along broadcast dims); destination strides ds are row-major for a fresh
// output, or the strides of a bigger tensor when writing a part of it (concat, slice backward).
// The host coalesces dims that are contiguous in both source and destination first, so most
// copies run at rank 1–3. Elements are moved as u32 bits, so one pipeline serves f32, i32 and u32.
// Two versions (src/ops/strided-copy.ts picks; SEEABLE_NAIVE=1 forces the first):
//   copy_strided       v1, the reference: one invocation per element, 5 div/mod pairs each.
//   copy_strided_runs  v2: one invocation per V consecutive elements of the innermost dim, and only
//                      RANK − 1 div/mod pairs (RANK, V are override constants, so the unused dims
//                      compile away). Integer division by a runtime value is the cost on CPU
//                      adapters (no vector udiv); on GPUs it trims ALU work the same way.
// WG = 256; big grids fold into y (i = gid.x + gid.y·nwg.x·WG).
// Bench: node --import tsx bench/movement.ts --only=permute   (also --only=slice, --only=concat)

override WG: u32 = 256;
override RANK: u32 = 6;
override V: u32 = 4;

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

/** The coordinate along one dim, peeling it off the flat remainder r; the outermost dim in use
 *  takes the rest without a division. */
fn peel(r: ptr<function, u32>, d: u32, outermost: bool) -> u32 {
  if (outermost) { return *r; }
  let c = *r % d;
  *r = *r / d;
  return c;
}

@compute @workgroup_size(WG)
fn copy_strided_runs(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.n) { return; }  // here n counts invocations: rows × ⌈d5 / V⌉
  let chunks = (p.d5 + V - 1u) / V;
  var r = t / chunks;
  let c5 = (t - r * chunks) * V;
  var src = p.soff + c5 * p.ss5;
  var dst = p.doff + c5 * p.ds5;
  if (RANK >= 2u) { let c = peel(&r, p.d4, RANK == 2u); src += c * p.ss4; dst += c * p.ds4; }
  if (RANK >= 3u) { let c = peel(&r, p.d3, RANK == 3u); src += c * p.ss3; dst += c * p.ds3; }
  if (RANK >= 4u) { let c = peel(&r, p.d2, RANK == 4u); src += c * p.ss2; dst += c * p.ds2; }
  if (RANK >= 5u) { let c = peel(&r, p.d1, RANK == 5u); src += c * p.ss1; dst += c * p.ds1; }
  if (RANK >= 6u) { src += r * p.ss0; dst += r * p.ds0; }
  for (var e = 0u; e < V; e++) {  // constant trip count: unrolled
    if (c5 + e < p.d5) { out[dst + e * p.ds5] = x[src + e * p.ss5]; }
  }
}
