// Batch norm 2d over NCHW (per-channel statistics over N×H×W), forward and backward.
// Algorithm (no float atomics):
//   partial_sums   grid (P, C), WG = 64 lanes, lane-strided over one chunk of a channel's N·H·W
//                  elements, then a workgroup tree reduction → part[c, p] (two sums).
//                  OP 0 (stats): shifted sums Σ(x−K), Σ(x−K)² with K = x[n=0, c, 0, 0] (a sample of
//                  the channel keeps the sums small, so var = E[d²] − E[d]² does not cancel badly).
//                  OP 1 (backward): Σ gy and Σ gy·x̂ with x̂ = (x − mean)·invstd.
//   stats_finalize one invocation per channel: adds the P partials, writes stat[c] = (mean, invstd,
//                  scale = γ·invstd, shift = β − mean·scale) and, in training, updates the running
//                  buffers in place (PyTorch: r = (1−m)·r + m·batch, running var unbiased).
//   eval_stats     the same stat rows from the running statistics (eval mode).
//   normalize      y = x·scale[c] + shift[c], one invocation per element.
//   grad_finalize  one invocation per channel: gβ = Σ gy, gγ = Σ gy·x̂ and the input-gradient
//                  coefficients coef[c] = (A, B, D, mean) so that gx = A·gy + B·(x − mean) + D;
//                  training: A = γ·invstd, B = −A·invstd·gγ/M, D = −A·gβ/M; eval: B = D = 0.
//   grad_input     gx from coef, one invocation per element.
// Layout: x, gy, y, gx are [N, C, H·W] contiguous; stat and coef are [C, 4]; part is [C, P, 2].
// Bench: npx tsx bench/batchnorm.ts

override WG: u32 = 64;
override OP: u32 = 0;

struct Params {
  N: u32,
  C: u32,
  HW: u32,
  P: u32,
  chunk: u32,
  eps: f32,
  momentum: f32,
  training: u32,
  update: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// ---- partial_sums: reads x, gy (OP 1; x again for OP 0), stat (OP 1; x again for OP 0) ----
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> gys: array<f32>;
@group(0) @binding(3) var<storage, read> stat_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> part: array<f32>;

var<workgroup> red: array<vec2<f32>, 64>;

@compute @workgroup_size(WG)
fn partial_sums(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wid.y;
  let m = p.N * p.HW;
  let start = wid.x * p.chunk;
  let end = min(m, start + p.chunk);
  var acc = vec2<f32>(0.0, 0.0);
  if (OP == 0u) {
    let k = xs[c * p.HW];
    for (var j = start + lid; j < end; j = j + WG) {
      let n = j / p.HW;
      let d = xs[(n * p.C + c) * p.HW + (j - n * p.HW)] - k;
      acc = acc + vec2<f32>(d, d * d);
    }
  } else {
    let mean = stat_in[4u * c];
    let invstd = stat_in[4u * c + 1u];
    for (var j = start + lid; j < end; j = j + WG) {
      let n = j / p.HW;
      let at = (n * p.C + c) * p.HW + (j - n * p.HW);
      let g = gys[at];
      acc = acc + vec2<f32>(g, g * (xs[at] - mean) * invstd);
    }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let o = 2u * (c * p.P + wid.x);
    part[o] = red[0].x;
    part[o + 1u] = red[0].y;
  }
}

fn sum_partials(c: u32) -> vec2<f32> {
  var acc = vec2<f32>(0.0, 0.0);
  for (var i = 0u; i < p.P; i = i + 1u) {
    let o = 2u * (c * p.P + i);
    acc = acc + vec2<f32>(part_in[o], part_in[o + 1u]);
  }
  return acc;
}

// ---- stats_finalize: reads x, part, gamma, beta; writes stat, running mean, running var ----
@group(0) @binding(2) var<storage, read> part_in: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<storage, read_write> stat: array<f32>;
@group(0) @binding(6) var<storage, read_write> run_mean: array<f32>;
@group(0) @binding(7) var<storage, read_write> run_var: array<f32>;

fn write_stat(c: u32, mean: f32, invstd: f32) {
  let scale = gamma[c] * invstd;
  stat[4u * c] = mean;
  stat[4u * c + 1u] = invstd;
  stat[4u * c + 2u] = scale;
  stat[4u * c + 3u] = beta[c] - mean * scale;
}

@compute @workgroup_size(WG)
fn stats_finalize(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.C) { return; }
  let m = f32(p.N * p.HW);
  let s = sum_partials(c);
  let dm = s.x / m;
  let mean = xs[c * p.HW] + dm;
  let v = max(s.y / m - dm * dm, 0.0);
  write_stat(c, mean, inverseSqrt(v + p.eps));
  if (p.update == 1u) {
    let mo = p.momentum;
    run_mean[c] = (1.0 - mo) * run_mean[c] + mo * mean;
    run_var[c] = (1.0 - mo) * run_var[c] + mo * v * (m / (m - 1.0));
  }
}

// ---- eval_stats: reads running mean, running var, gamma, beta; writes stat ----
@group(0) @binding(1) var<storage, read> rm_in: array<f32>;
@group(0) @binding(2) var<storage, read> rv_in: array<f32>;

@compute @workgroup_size(WG)
fn eval_stats(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.C) { return; }
  write_stat(c, rm_in[c], inverseSqrt(rv_in[c] + p.eps));
}

// ---- normalize: reads x, stat; writes y ----
@group(0) @binding(2) var<storage, read> stat_n: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn normalize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.C * p.HW) { return; }
  let c = (i / p.HW) % p.C;
  y[i] = xs[i] * stat_n[4u * c + 2u] + stat_n[4u * c + 3u];
}

// ---- grad_finalize: reads part, stat, gamma; writes coef, gγ, gβ ----
@group(0) @binding(1) var<storage, read> part_g: array<f32>;
@group(0) @binding(2) var<storage, read> stat_g: array<f32>;
@group(0) @binding(3) var<storage, read> gamma_g: array<f32>;
@group(0) @binding(4) var<storage, read_write> coef: array<f32>;
@group(0) @binding(5) var<storage, read_write> ggamma: array<f32>;
@group(0) @binding(6) var<storage, read_write> gbeta: array<f32>;

@compute @workgroup_size(WG)
fn grad_finalize(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.C) { return; }
  var s = vec2<f32>(0.0, 0.0);
  for (var i = 0u; i < p.P; i = i + 1u) {
    let o = 2u * (c * p.P + i);
    s = s + vec2<f32>(part_g[o], part_g[o + 1u]);
  }
  gbeta[c] = s.x;
  ggamma[c] = s.y;
  let mean = stat_g[4u * c];
  let invstd = stat_g[4u * c + 1u];
  let a = gamma_g[c] * invstd;
  var b = 0.0;
  var d = 0.0;
  if (p.training == 1u) {
    let m = f32(p.N * p.HW);
    b = -a * invstd * s.y / m;
    d = -a * s.x / m;
  }
  coef[4u * c] = a;
  coef[4u * c + 1u] = b;
  coef[4u * c + 2u] = d;
  coef[4u * c + 3u] = mean;
}

// ---- grad_input: reads x, gy, coef; writes gx ----
@group(0) @binding(3) var<storage, read> coef_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> gx: array<f32>;

@compute @workgroup_size(WG)
fn grad_input(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.C * p.HW) { return; }
  let c = (i / p.HW) % p.C;
  let q = 4u * c;
  gx[i] = coef_in[q] * gys[i] + coef_in[q + 1u] * (xs[i] - coef_in[q + 3u]) + coef_in[q + 2u];
}
