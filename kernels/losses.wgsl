// Fused losses with their backward; two passes so that the work spreads over many workgroups
// (a one-workgroup loss would run on one core of a CPU adapter, one SM of a GPU).
//   ce_rows       cross-entropy from logits [N, K] and integer labels [N] (negative = ignored, like
//                 PyTorch's ignore_index), optional label smoothing ε (target (1−ε)·onehot + ε/K).
//                 One invocation per row: a max pass and a Σexp pass give lse = m + log Σ exp(z − m)
//                 (no overflow), loss_n = lse − Σ q·z. Writes (loss_n, 1) — (0, 0) if ignored — and
//                 lse (saved for the backward). A label ≥ K makes the loss NaN, never an OOB read.
//   reduce_pairs  one workgroup (WG = 256) sums (value, count) pairs: loss = Σ value (sum) or
//                 Σ value / Σ count (mean over counted rows); also writes the count.
//   ce_backward   one invocation per logit: g·(softmax − q)/count (0 on ignored rows).
//   bce_partial   binary cross-entropy with logits, max(x, 0) − x·t + log1p(e^−|x|) (stable for
//                 any x): workgroup w sums a chunk of K elements → (Σ, count); reduce_pairs finishes.
//   bce_backward  gx = g·s·(σ(x) − t), gt = −g·s·x, s = 1/M (mean) or 1 (sum).
// Layout: row-major; 1-D grids fold into y.
// Bench: npm run bench -- cnn-ops

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

// ---- ce_rows: reads logits, labels; writes pairs [N, 2] (row loss, 1) or (0, 0) when ignored,
// lse [N] (saved for the backward). One invocation per row. ----
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> pairs: array<f32>;
@group(0) @binding(4) var<storage, read_write> lse_out: array<f32>;

@compute @workgroup_size(WG)
fn ce_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = gid.x + gid.y * nwg.x * WG;
  if (n >= p.N) { return; }
  let K = p.K;
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
  lse_out[n] = lse;
  let y = labels[n];
  if (y < 0) {
    pairs[2u * n] = 0.0;
    pairs[2u * n + 1u] = 0.0;
    return;
  }
  var zy = bitcast<f32>(0x7fc00000u + (K - K)); // NaN (built at run time): a label past K poisons the loss
  if (u32(y) < K) { zy = z[base + u32(y)]; }
  pairs[2u * n] = lse - ((1.0 - p.smoothing) * zy + p.smoothing / f32(K) * total);
  pairs[2u * n + 1u] = 1.0;
}

// ---- reduce_pairs: reads pairs [N, 2] (value, count); writes loss [1] (Σ value, or Σ value / Σ count
// when mean) and count [1]. One workgroup, lane-strided sums, tree reduction. ----
@group(0) @binding(1) var<storage, read> pairs_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> count: array<f32>;

@compute @workgroup_size(WG)
fn reduce_pairs(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2<f32>(0.0, 0.0);
  for (var i = lid; i < p.N; i = i + WG) { acc = acc + vec2<f32>(pairs_in[2u * i], pairs_in[2u * i + 1u]); }
  let t = tree_sum(lid, acc);
  if (lid == 0u) {
    loss[0] = select(t.x, t.x / t.y, p.mean == 1u);
    count[0] = t.y;
  }
}

// ---- ce_backward: reads logits, labels, lse, count [1], g [1]; writes gz ----
@group(0) @binding(3) var<storage, read> lse_in: array<f32>;
@group(0) @binding(4) var<storage, read> count_in: array<f32>;
@group(0) @binding(5) var<storage, read> g: array<f32>;
@group(0) @binding(6) var<storage, read_write> gz: array<f32>;

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
  let scale = select(g[0], g[0] / count_in[0], p.mean == 1u);
  let q = p.smoothing / f32(p.K) + select(0.0, 1.0 - p.smoothing, u32(y) == k);
  gz[i] = scale * (exp(z[i] - lse_in[n]) - q);
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

// ---- bce_partial: reads x, t; writes pairs [P, 2] = (Σ loss over the chunk, element count).
// Workgroup w takes elements [w·K, (w + 1)·K) (K = chunk), lane-strided, tree reduction. ----
@group(0) @binding(2) var<storage, read> t: array<f32>;

@compute @workgroup_size(WG)
fn bce_partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let start = wid.x * p.K;
  let end = min(p.N, start + p.K);
  var acc = vec2<f32>(0.0, 0.0);
  for (var i = start + lid; i < end; i = i + WG) {
    let x = z[i];
    acc = acc + vec2<f32>(max(x, 0.0) - x * t[i] + log1p_exp_neg_abs(x), 1.0);
  }
  let s = tree_sum(lid, acc);
  if (lid == 0u) {
    pairs[2u * wid.x] = s.x;
    pairs[2u * wid.x + 1u] = s.y;
  }
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
