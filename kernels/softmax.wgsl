// Softmax and log-softmax along one axis, forward and backward, fused (one dispatch each).
// Layout: x viewed as [outer, L, inner]; a row is the L elements (o, ·, i), stride `inner`, so an
// axis that is not the last needs no transpose (neighbouring invocations read neighbouring i).
// LOG = 0: y = exp(x − m) / s;  LOG = 1: y = (x − m) − log s;  m = max_j x_j, s = Σ_j exp(x_j − m).
// The max and the sum are gathered in one pass ("online softmax": when m grows, s is rescaled by
// exp(m_old − m_new)), so exp never sees a positive argument and ±1e4 inputs stay finite.
// −∞ entries (masks) give 0; a row that is all −∞ gives NaN, as in PyTorch.
// Backward from the saved output y and the incoming gradient g:
//   softmax:     gx = y ⊙ (g − Σ g⊙y)
//   logSoftmax:  gx = g − exp(y) ⊙ Σ g
// Two paths, chosen on the host (chooseRowPath in src/ops/rows.ts):
//   *_rows  one invocation per row, WG = 64 (more workgroups for few rows): no barriers; best when there are many rows.
//   *_wg    one workgroup of WG_ROW = 64 per row: invocations stride over the row, then a tree
//           reduction in workgroup memory (log2(64) = 6 barriers); for a few long rows.
// Bench: node --import tsx bench/movement.ts --only=softmax   (matches logSoftmax too)

override WG: u32 = 64;
override WG_ROW: u32 = 64;
override LOG: u32 = 0;

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@group(0) @binding(1) var<storage, read> yb: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> gx: array<f32>;

var<workgroup> red_m: array<f32, WG_ROW>;
var<workgroup> red_s: array<f32, WG_ROW>;

/** Index of the row's first element, for row r of outer·inner rows. */
fn row_base(r: u32) -> u32 {
  let o = r / p.inner;
  let i = r % p.inner;
  return o * p.len * p.inner + i;
}

fn out_value(v: f32, m: f32, s: f32, log_s: f32) -> f32 {
  if (LOG == 1u) { return (v - m) - log_s; }
  return exp(v - m) / s;
}

/** Fold one more (max, sum) pair into a running one. */
fn merge(m1: f32, s1: f32, m2: f32, s2: f32) -> vec2<f32> {
  if (m1 == m2) { return vec2<f32>(m1, s1 + s2); }  // also keeps two −∞ (masked) shares from exp(NaN)
  let m = max(m1, m2);
  return vec2<f32>(m, s1 * exp(m1 - m) + s2 * exp(m2 - m));
}

@compute @workgroup_size(WG)
fn softmax_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  var m = x[base];
  var s = 1.0;
  for (var j = 1u; j < p.len; j++) {
    let v = x[base + j * p.inner];
    if (v > m) {
      s = s * exp(m - v) + 1.0;
      m = v;
    } else {
      s += select(exp(v - m), 1.0, v == m);  // v == m == −∞ (a masked prefix) must add 1, not exp(NaN)
    }
  }
  let log_s = log(s);
  for (var j = 0u; j < p.len; j++) {
    let at = base + j * p.inner;
    y[at] = out_value(x[at], m, s, log_s);
  }
}

/** Σ g⊙y (softmax) or Σ g (logSoftmax): the one number per row the backward needs. */
fn grad_term(at: u32) -> f32 {
  if (LOG == 1u) { return g[at]; }
  return g[at] * yb[at];
}

fn grad_out(at: u32, dot: f32) -> f32 {
  if (LOG == 1u) { return g[at] - exp(yb[at]) * dot; }
  return yb[at] * (g[at] - dot);
}

@compute @workgroup_size(WG)
fn softmax_rows_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  var dot = 0.0;
  for (var j = 0u; j < p.len; j++) { dot += grad_term(base + j * p.inner); }
  for (var j = 0u; j < p.len; j++) {
    let at = base + j * p.inner;
    gx[at] = grad_out(at, dot);
  }
}

@compute @workgroup_size(WG_ROW)
fn softmax_wg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;  // uniform across the workgroup, so the early return is safe
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  // Each invocation's own (max, sum) over j = lid, lid + WG_ROW, …; an empty share is (x[0], 0).
  var m = x[base];
  var s = 0.0;
  for (var j = lid; j < p.len; j += WG_ROW) {
    let ms = merge(m, s, x[base + j * p.inner], 1.0);
    m = ms.x;
    s = ms.y;
  }
  red_m[lid] = m;
  red_s[lid] = s;
  for (var half = WG_ROW / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) {
      let ms = merge(red_m[lid], red_s[lid], red_m[lid + half], red_s[lid + half]);
      red_m[lid] = ms.x;
      red_s[lid] = ms.y;
    }
  }
  workgroupBarrier();
  let mt = red_m[0];
  let st = red_s[0];
  let log_s = log(st);
  for (var j = lid; j < p.len; j += WG_ROW) {
    let at = base + j * p.inner;
    y[at] = out_value(x[at], mt, st, log_s);
  }
}

@compute @workgroup_size(WG_ROW)
fn softmax_wg_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.outer * p.inner) { return; }
  let base = row_base(r);
  var dot = 0.0;
  for (var j = lid; j < p.len; j += WG_ROW) { dot += grad_term(base + j * p.inner); }
  red_s[lid] = dot;
  for (var half = WG_ROW / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) { red_s[lid] += red_s[lid + half]; }
  }
  workgroupBarrier();
  let total = red_s[0];
  for (var j = lid; j < p.len; j += WG_ROW) {
    let at = base + j * p.inner;
    gx[at] = grad_out(at, total);
  }
}
