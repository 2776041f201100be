// Fused losses with their backward.
//   ce_forward    cross-entropy from logits [N, K] and integer labels [N] (negative = ignored, like
//                 PyTorch's ignore_index), optional label smoothing ε (target (1−ε)·onehot + ε/K).
//                 One workgroup (WG = 256): lane l takes rows l, l + 256, …; per row a max pass and
//                 a Σexp pass give lse = m + log Σ exp(z − m) (no overflow), loss = lse − Σ q·z.
//                 Writes lse per row (saved for the backward) and the count of counted rows, then a
//                 workgroup tree reduction gives the loss (mean over counted rows, or sum).
//                 A label ≥ K makes the loss NaN rather than read out of bounds.
//   ce_backward   one invocation per logit: g·(softmax − q)/count (0 on ignored rows).
//   bce_forward   binary cross-entropy with logits, max(x, 0) − x·t + log1p(e^−|x|) (stable for any
//                 x), one workgroup, lane-strided sum, tree reduction; mean or sum.
//   bce_backward  gx = g·s·(σ(x) − t), gt = −g·s·x, s = 1/M (mean) or 1 (sum).
// Layout: row-major; 1-D grids fold into y.
// Bench: npx tsx bench/run.ts losses

override WG: u32 = 256;

struct Params {
  N: u32,
  K: u32,
  smoothing: f32,
  mean: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> red: array<vec2<f32>, 256>;

fn tree_sum(lid: u32, v: vec2<f32>) -> vec2<f32> {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  return red[0];
}

// ---- ce_forward: reads logits, labels; writes loss [1], rowstat [N + 1] (lse per row, then count) ----
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowstat: array<f32>;

@compute @workgroup_size(WG)
fn ce_forward(@builtin(local_invocation_index) lid: u32) {
  let K = p.K;
  var acc = vec2<f32>(0.0, 0.0);
  for (var n = lid; n < p.N; n = n + WG) {
    let base = n * K;
    var m = z[base];
    var total = 0.0;
    for (var k = 0u; k < K; k = k + 1u) {
      let v = z[base + k];
      m = max(m, v);
      total = total + v;
    }
    var s = 0.0;
    for (var k = 0u; k < K; k = k + 1u) { s = s + exp(z[base + k] - m); }
    let lse = m + log(s);
    rowstat[n] = lse;
    let y = labels[n];
    if (y < 0) { continue; }
    var zy = bitcast<f32>(0x7fc00000u + (K - K)); // NaN (built at run time): a label past K poisons the loss
    if (u32(y) < K) { zy = z[base + u32(y)]; }
    let target_dot = (1.0 - p.smoothing) * zy + p.smoothing / f32(K) * total;
    acc = acc + vec2<f32>(lse - target_dot, 1.0);
  }
  let t = tree_sum(lid, acc);
  if (lid == 0u) {
    loss[0] = select(t.x, t.x / t.y, p.mean == 1u);
    rowstat[p.N] = t.y;
  }
}

// ---- ce_backward: reads logits, labels, rowstat, g [1]; writes gz ----
@group(0) @binding(3) var<storage, read> rowstat_in: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> gz: array<f32>;

@compute @workgroup_size(WG)
fn ce_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.K) { return; }
  let n = i / p.K;
  let k = i - n * p.K;
  let y = labels[n];
  if (y < 0) {
    gz[i] = 0.0;
    return;
  }
  let scale = select(g[0], g[0] / rowstat_in[p.N], p.mean == 1u);
  let q = p.smoothing / f32(p.K) + select(0.0, 1.0 - p.smoothing, u32(y) == k);
  gz[i] = scale * (exp(z[i] - rowstat_in[n]) - q);
}

fn log1p_exp_neg_abs(x: f32) -> f32 {
  // log1p(e) for e = exp(−|x|) ∈ (0, 1], accurate when e is tiny (Goldberg's trick).
  let e = exp(-abs(x));
  let u = 1.0 + e;
  return select(log(u) * e / (u - 1.0), e, u == 1.0);
}

fn sigmoid(v: f32) -> f32 {
  if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
  let e = exp(v);
  return e / (1.0 + e);
}

// ---- bce_forward: reads x, t; writes loss [1]. N = element count ----
@group(0) @binding(2) var<storage, read> t: array<f32>;

@compute @workgroup_size(WG)
fn bce_forward(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2<f32>(0.0, 0.0);
  for (var i = lid; i < p.N; i = i + WG) {
    let x = z[i];
    acc.x = acc.x + max(x, 0.0) - x * t[i] + log1p_exp_neg_abs(x);
  }
  let s = tree_sum(lid, acc);
  if (lid == 0u) { loss[0] = select(s.x, s.x / f32(p.N), p.mean == 1u); }
}

// ---- bce_backward: reads x, t, g [1]; writes gx, gt ----
@group(0) @binding(3) var<storage, read> g_b: array<f32>;
@group(0) @binding(4) var<storage, read_write> gx: array<f32>;
@group(0) @binding(5) var<storage, read_write> gt: array<f32>;

@compute @workgroup_size(WG)
fn bce_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N) { return; }
  let scale = select(g_b[0], g_b[0] / f32(p.N), p.mean == 1u);
  let x = z[i];
  gx[i] = scale * (sigmoid(x) - t[i]);
  gt[i] = -scale * x;
}
