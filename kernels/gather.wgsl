// Gather along an axis (index_select / take), its scatter-add backward, and one-hot.
// Layout: x is viewed as [outer, A, inner] (A = the gathered axis), the K indices as a flat list,
// the output as [outer, K, inner]. Indices are u32 bits: with SIGNED = 1 they are i32 and a
// negative one counts from the end (Python style); an index still out of [0, A) reads as 0 and
// receives no gradient (no bounds fault on the GPU).
//
// Backward without float atomics, deterministic: invert the index list into buckets (CSR), then
// each gradient element sums its bucket in ascending k order.
//   index_count  (one invocation per k)   counts[a] += 1          (u32 atomics; exact in any order)
//   index_scan   (one workgroup of WG)    starts = exclusive prefix sum of counts, starts[A] = total
//   index_fill   (one invocation per k)   list[starts[a] + --counts[a]] = k   (leaves counts at 0)
//   bucket_sort  (one invocation per a)   insertion-sort each bucket, fixing the summation order
//   scatter_rows (one per gx element)     gx[o, a, i] = Σ_{j in bucket a} g[o, list[j], i]
// The index work is O(K + A) (bucket sort O(Σ bucket²)), independent of outer and inner.
// WG = 256 everywhere; 1-D grids fold into y (i = gid.x + gid.y·nwg.x·WG).
// Bench: node --import tsx bench/movement.ts --only=gather

override WG: u32 = 256;
override SIGNED: u32 = 1u;

struct Params {
  outer: u32,
  axis: u32,  // A, or the class count for one_hot
  inner: u32,
  k: u32,     // number of indices
}

@group(0) @binding(0) var<uniform> p: Params;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

/** The index as a position in [0, A), or A (invalid) when out of range. */
fn norm_index(raw: u32) -> u32 {
  var v = raw;
  if (SIGNED == 1u && bitcast<i32>(raw) < 0) {
    v = bitcast<u32>(bitcast<i32>(raw) + i32(p.axis));
  }
  return select(p.axis, v, v < p.axis);
}

// ---- forward: out[o, k, i] = x[o, idx[k], i] (bits, so any 4-byte dtype) ----
@group(0) @binding(1) var<storage, read> gx_src: array<u32>;
@group(0) @binding(2) var<storage, read> g_idx: array<u32>;
@group(0) @binding(3) var<storage, read_write> g_out: array<u32>;

@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.outer * p.k * p.inner) { return; }
  let i = t % p.inner;
  let k = (t / p.inner) % p.k;
  let o = t / (p.inner * p.k);
  let a = norm_index(g_idx[k]);
  var v = 0u;
  if (a < p.axis) { v = gx_src[(o * p.axis + a) * p.inner + i]; }
  g_out[t] = v;
}

// ---- backward, step 1: bucket sizes ----
@group(0) @binding(1) var<storage, read> c_idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> c_counts: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn index_count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = flat(gid, nwg);
  if (k >= p.k) { return; }
  let a = norm_index(c_idx[k]);
  if (a < p.axis) { atomicAdd(&c_counts[a], 1u); }
}

// ---- step 2: exclusive prefix sum over A buckets, one workgroup; two barriers ----
@group(0) @binding(1) var<storage, read> s_counts: array<u32>;
@group(0) @binding(2) var<storage, read_write> s_starts: array<u32>;
var<workgroup> partial: array<u32, WG>;

@compute @workgroup_size(WG)
fn index_scan(@builtin(local_invocation_index) lid: u32) {
  let chunk = (p.axis + WG - 1u) / WG;
  let lo = min(p.axis, lid * chunk);
  let hi = min(p.axis, lo + chunk);
  var s = 0u;
  for (var a = lo; a < hi; a++) { s += s_counts[a]; }
  partial[lid] = s;
  workgroupBarrier();
  if (lid == 0u) {
    var run = 0u;
    for (var j = 0u; j < WG; j++) {
      let c = partial[j];
      partial[j] = run;
      run += c;
    }
    s_starts[p.axis] = run;
  }
  workgroupBarrier();
  var run = partial[lid];
  for (var a = lo; a < hi; a++) {
    s_starts[a] = run;
    run += s_counts[a];
  }
}

// ---- step 3: place each k in its bucket (order within a bucket is fixed by step 4) ----
@group(0) @binding(1) var<storage, read> f_idx: array<u32>;
@group(0) @binding(2) var<storage, read> f_starts: array<u32>;
@group(0) @binding(3) var<storage, read_write> f_counts: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> f_list: array<u32>;

@compute @workgroup_size(WG)
fn index_fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = flat(gid, nwg);
  if (k >= p.k) { return; }
  let a = norm_index(f_idx[k]);
  if (a >= p.axis) { return; }
  let slot = atomicSub(&f_counts[a], 1u) - 1u;
  f_list[f_starts[a] + slot] = k;
}

// ---- step 4: sort each bucket so that the sums below run in ascending k (deterministic) ----
@group(0) @binding(1) var<storage, read> b_starts: array<u32>;
@group(0) @binding(2) var<storage, read_write> b_list: array<u32>;

@compute @workgroup_size(WG)
fn bucket_sort(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let a = flat(gid, nwg);
  if (a >= p.axis) { return; }
  let lo = b_starts[a];
  let hi = b_starts[a + 1u];
  for (var j = lo + 1u; j < hi; j++) {
    let v = b_list[j];
    var m = j;
    while (m > lo && b_list[m - 1u] > v) {
      b_list[m] = b_list[m - 1u];
      m--;
    }
    b_list[m] = v;
  }
}

// ---- step 5: gx[o, a, i] = Σ g[o, k, i] over the k in bucket a ----
@group(0) @binding(1) var<storage, read> r_g: array<f32>;
@group(0) @binding(2) var<storage, read> r_starts: array<u32>;
@group(0) @binding(3) var<storage, read> r_list: array<u32>;
@group(0) @binding(4) var<storage, read_write> r_gx: array<f32>;

@compute @workgroup_size(WG)
fn scatter_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.outer * p.axis * p.inner) { return; }
  let i = t % p.inner;
  let a = (t / p.inner) % p.axis;
  let o = t / (p.inner * p.axis);
  var acc = 0.0;
  for (var j = r_starts[a]; j < r_starts[a + 1u]; j++) {
    acc += r_g[(o * p.k + r_list[j]) * p.inner + i];
  }
  r_gx[t] = acc;
}

// ---- one_hot: out[r, c] = 1 where the label of row r is c (axis = classes, k = rows) ----
@group(0) @binding(1) var<storage, read> h_labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> h_out: array<f32>;

@compute @workgroup_size(WG)
fn one_hot(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.k * p.axis) { return; }
  let c = t % p.axis;
  h_out[t] = select(0.0, 1.0, norm_index(h_labels[t / p.axis]) == c);
}
