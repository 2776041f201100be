// L2 normalisation along one axis (PyTorch F.normalize, p = 2), forward and backward, fused.
// Layout: x viewed as [outer, L, inner]; a row is the L elements (o, ·, i), stride `inner`.
//   n = ‖x‖₂ over the row, d = max(n, eps), y = x / d
// Backward (the clamp passes no gradient to n when n < eps, as in PyTorch):
//   n > eps:  gx = (g − y·Σ g⊙y) / d = g/d − x·(Σ g⊙x)/n³
//   n ≤ eps:  gx = g / eps
// The backward recomputes n from the saved x in the same pass that forms Σ g⊙x.
// Two paths, chosen on the host (chooseRowPath in src/ops/rows.ts):
//   *_rows  one invocation per row, WG = 64 (more workgroups for few rows), no barriers (many rows);
//   *_wg    one workgroup of WG_ROW = 64 per row, tree reduction in workgroup memory (few, long rows).
// Bench: node --import tsx bench/movement.ts --only=l2Normalize

override WG: u32 = 64;
override WG_ROW: u32 = 64;

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> gx: array<f32>;

var<workgroup> red_a: array<f32, WG_ROW>;
var<workgroup> red_b: array<f32, WG_ROW>;

fn row_base(r: u32) -> u32 {
  return (r / p.inner) * p.len * p.inner + r % p.inner;
}

/** (1/d, coefficient of x in gx) from Σx² and Σg⊙x. */
fn backward_coefs(ss: f32, dot: f32) -> vec2<f32> {
  let n = sqrt(ss);
  let d = max(n, p.eps);
  var c = 0.0;
  if (n > p.eps) { c = ((dot / n) / n) / n; }  // not n³ at once: it would overflow past n ≈ 7e12
  return vec2<f32>(1.0 / d, c);
}

@compute @workgroup_size(WG)
fn l2_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  var ss = 0.0;
  for (var j = 0u; j < p.len; j++) {
    let v = x[base + j * p.inner];
    ss += v * v;
  }
  let d = max(sqrt(ss), p.eps);
  for (var j = 0u; j < p.len; j++) {
    let at = base + j * p.inner;
    y[at] = x[at] / d;
  }
}

@compute @workgroup_size(WG)
fn l2_rows_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  var ss = 0.0;
  var dot = 0.0;
  for (var j = 0u; j < p.len; j++) {
    let at = base + j * p.inner;
    let v = x[at];
    ss += v * v;
    dot += g[at] * v;
  }
  let k = backward_coefs(ss, dot);
  for (var j = 0u; j < p.len; j++) {
    let at = base + j * p.inner;
    gx[at] = g[at] * k.x - x[at] * k.y;
  }
}

@compute @workgroup_size(WG_ROW)
fn l2_wg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;  // uniform across the workgroup, so the early return is safe
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  var ss = 0.0;
  for (var j = lid; j < p.len; j += WG_ROW) {
    let v = x[base + j * p.inner];
    ss += v * v;
  }
  red_a[lid] = ss;
  for (var half = WG_ROW / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) { red_a[lid] += red_a[lid + half]; }
  }
  workgroupBarrier();
  let d = max(sqrt(red_a[0]), p.eps);
  for (var j = lid; j < p.len; j += WG_ROW) {
    let at = base + j * p.inner;
    y[at] = x[at] / d;
  }
}

@compute @workgroup_size(WG_ROW)
fn l2_wg_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  var ss = 0.0;
  var dot = 0.0;
  for (var j = lid; j < p.len; j += WG_ROW) {
    let at = base + j * p.inner;
    let v = x[at];
    ss += v * v;
    dot += g[at] * v;
  }
  red_a[lid] = ss;
  red_b[lid] = dot;
  for (var half = WG_ROW / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) {
      red_a[lid] += red_a[lid + half];
      red_b[lid] += red_b[lid + half];
    }
  }
  workgroupBarrier();
  let k = backward_coefs(red_a[0], red_b[0]);
  for (var j = lid; j < p.len; j += WG_ROW) {
    let at = base + j * p.inner;
    gx[at] = g[at] * k.x - x[at] * k.y;
  }
}
