// Batch norm 2d over NCHW (per-channel statistics over N×H×W), forward and backward.
// Algorithm (no float atomics):
//   partial_sums   grid (P, C), WG = 64 lanes, lane-strided sums then a workgroup tree reduction →
//                  part[c, p] (two sums). SEGMENTED (planes ≥ 256 px): partial p = one segment of
//                  one sample's plane, no per-element division; else p = a chunk of the channel's
//                  N·H·W values as one flat run (small planes: a workgroup spans several samples).
//                  OP 0 (stats): shifted sums Σ(x−K), Σ(x−K)² with K = x[n=0, c, 0, 0] (a sample of
//                  the channel keeps the sums small, so var = E[d²] − E[d]² does not cancel badly).
//                  OP 1 (backward): Σ gz and Σ gz·x̂ with x̂ = (x − mean)·invstd (gz: see grad_finalize).
//   partial_sums_rows(4)  the same partials for CPU adapters, no barrier: one invocation per
//                  (channel, partial), a partial being `group` consecutive samples × one segment of
//                  `chunk` pixels of their planes (P = ⌈N/group⌉·segs); _rows4 reads vec4s
//                  (HW and chunk multiples of 4). Sizes chosen in src/ops/batchnorm.ts.
//   stats_finalize one invocation per channel: adds the P partials, writes stat[c] = (mean, invstd,
//                  scale = γ·invstd, shift = β − mean·scale) and, in training, updates the running
//                  buffers in place (PyTorch: r = (1−m)·r + m·batch, running var unbiased).
//   eval_stats     the same stat rows from the running statistics (eval mode).
//   grad_finalize  one invocation per channel: gβ = Σ gz, gγ = Σ gz·x̂ and the input-gradient
//                  coefficients coef[c] = (A, B, D, mean, scale, shift) so that
//                  gx = A·gz + B·(x − mean) + D; training: A = γ·invstd, B = −A·invstd·gγ/M,
//                  D = −A·gβ/M; eval: B = D = 0. gz = gy, or gy·silu'(x·scale + shift) with ACT 1.
//   apply_*        the elementwise pass: OP 0 y = act(x·scale + shift), OP 1 gx from coef (below).
// Layout: x, gy, y, gx are [N, C, H·W] contiguous; stat is [C, 4], coef [C, 8]; part [C, P, 2].
// Bench: npm run bench -- batchnorm

override WG: u32 = 64;
override OP: u32 = 0;
override SEGMENTED: bool = false;
// ACT 1: a SiLU (swish) fused after the affine (forward), and its derivative applied to gy on the
// fly in the backward (z = x·scale + shift is recomputed; nothing extra is stored).
override ACT: u32 = 0;

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
  segs: u32,
  group: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// ---- partial_sums: reads x, gy (OP 1; x again for OP 0), stat (OP 1; x again for OP 0) ----
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> gys: array<f32>;
@group(0) @binding(3) var<storage, read> stat_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> part: array<f32>;

var<workgroup> red: array<vec2<f32>, 64>;

// Stable sigmoid with one exp and no branch (a SIMD CPU would run both sides of a branch).
fn sigmoid(v: f32) -> f32 {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}

fn sigmoid4(v: vec4<f32>) -> vec4<f32> {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= vec4<f32>(0.0));
}

// The gradient reaching the affine output: gy, or gy·silu'(z) with the activation fused.
fn grad_pre(g: f32, x: f32, scale: f32, shift: f32) -> f32 {
  if (ACT == 0u) { return g; }
  let z = x * scale + shift;
  let s = sigmoid(z);
  return g * s * (1.0 + z * (1.0 - s));
}

// One element's contribution: OP 0 (x − K, (x − K)²) with K = r.x; OP 1 (gz, gz·x̂) with the stat
// row r = (mean, invstd, scale, shift).
fn term(at: u32, r: vec4<f32>) -> vec2<f32> {
  let x = xs[at];
  if (OP == 0u) {
    let d = x - r.x;
    return vec2<f32>(d, d * d);
  }
  let g = grad_pre(gys[at], x, r.z, r.w);
  return vec2<f32>(g, g * (x - r.x) * r.y);
}

@compute @workgroup_size(WG)
fn partial_sums(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wid.y;
  var r = vec4<f32>(xs[c * p.HW], 0.0, 0.0, 0.0);
  if (OP == 1u) {
    r = vec4<f32>(stat_in[4u * c], stat_in[4u * c + 1u], stat_in[4u * c + 2u], stat_in[4u * c + 3u]);
  }
  var acc = vec2<f32>(0.0, 0.0);
  if (SEGMENTED) {
    // Partial wid.x = segment s of sample n's plane (P = N·S, S = ⌈HW / chunk⌉): contiguous
    // addresses, no per-element division. Used for planes of ≥ 256 pixels.
    let segs = (p.HW + p.chunk - 1u) / p.chunk;
    let n = wid.x / segs;
    let k0 = (wid.x - n * segs) * p.chunk;
    let base = (n * p.C + c) * p.HW;
    let end = base + min(p.HW, k0 + p.chunk);
    for (var i = base + k0 + lid; i < end; i = i + WG) { acc = acc + term(i, r); }
  } else {
    // Partial wid.x = chunk of the channel's N·HW values taken as one flat run (small planes:
    // one workgroup spans several samples, so lanes stay busy).
    let start = wid.x * p.chunk;
    let end = min(p.N * p.HW, start + p.chunk);
    for (var j = start + lid; j < end; j = j + WG) {
      let n = j / p.HW;
      acc = acc + term((n * p.C + c) * p.HW + (j - n * p.HW), r);
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

// ---- partial_sums_rows / partial_sums_rows4 (same bindings; the _rows4 ones seen as vec4s) ----
@group(0) @binding(1) var<storage, read> xs4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> gys4: array<vec4<f32>>;

// Thread t's channel c, samples [n0, n1) and pixels [k0, k1) of their planes; ok false past the end.
struct RowSpan { ok: bool, c: u32, n0: u32, n1: u32, k0: u32, k1: u32 }

fn row_span(gid: vec3<u32>, nwg: vec3<u32>) -> RowSpan {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.C * p.P) { return RowSpan(false, 0u, 0u, 0u, 0u, 0u); }
  let c = t / p.P;
  let pi = t - c * p.P;
  let ng = pi / p.segs;
  let k0 = (pi - ng * p.segs) * p.chunk;
  let n0 = ng * p.group;
  return RowSpan(true, c, n0, min(p.N, n0 + p.group), k0, min(p.HW, k0 + p.chunk));
}

// The stat row of OP 1 (mean, invstd, scale, shift); OP 0 takes the shift K from x itself.
fn stat_row(c: u32) -> vec4<f32> {
  return vec4<f32>(stat_in[4u * c], stat_in[4u * c + 1u], stat_in[4u * c + 2u], stat_in[4u * c + 3u]);
}

fn write_part(gid: vec3<u32>, nwg: vec3<u32>, acc: vec2<f32>) {
  let o = 2u * (gid.x + gid.y * nwg.x * WG); // = 2·(c·P + partial)
  part[o] = acc.x;
  part[o + 1u] = acc.y;
}

@compute @workgroup_size(WG)
fn partial_sums_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let sp = row_span(gid, nwg);
  if (!sp.ok) { return; }
  var r = vec4<f32>(xs[sp.c * p.HW], 0.0, 0.0, 0.0);
  if (OP == 1u) { r = stat_row(sp.c); }
  var acc = vec2<f32>(0.0, 0.0);
  for (var n = sp.n0; n < sp.n1; n = n + 1u) {
    let base = (n * p.C + sp.c) * p.HW;
    for (var i = base + sp.k0; i < base + sp.k1; i = i + 1u) { acc = acc + term(i, r); }
  }
  write_part(gid, nwg, acc);
}

fn grad_pre4(g: vec4<f32>, x: vec4<f32>, scale: f32, shift: f32) -> vec4<f32> {
  if (ACT == 0u) { return g; }
  let z = x * scale + shift;
  let s = sigmoid4(z);
  return g * s * (1.0 + z * (1.0 - s));
}

@compute @workgroup_size(WG)
fn partial_sums_rows4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let sp = row_span(gid, nwg);
  if (!sp.ok) { return; }
  var r = vec4<f32>(xs4[sp.c * p.HW / 4u].x, 0.0, 0.0, 0.0);
  if (OP == 1u) { r = stat_row(sp.c); }
  let one = vec4<f32>(1.0);
  var acc = vec2<f32>(0.0, 0.0);
  for (var n = sp.n0; n < sp.n1; n = n + 1u) {
    let base = ((n * p.C + sp.c) * p.HW) / 4u;
    for (var i = base + sp.k0 / 4u; i < base + sp.k1 / 4u; i = i + 1u) {
      let x = xs4[i];
      if (OP == 0u) {
        let d = x - r.x;
        acc = acc + vec2<f32>(dot(d, one), dot(d, d));
      } else {
        let g = grad_pre4(gys4[i], x, r.z, r.w);
        acc = acc + vec2<f32>(dot(g, one), dot(g, (x - r.x) * r.y));
      }
    }
  }
  write_part(gid, nwg, acc);
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
  let q = 8u * c;
  coef[q] = a;
  coef[q + 1u] = b;
  coef[q + 2u] = d;
  coef[q + 3u] = mean;
  coef[q + 4u] = stat_g[4u * c + 2u];
  coef[q + 5u] = stat_g[4u * c + 3u];
  coef[q + 6u] = 0.0;
  coef[q + 7u] = 0.0;
}

// ---- apply: the per-element pass. OP 0 normalize: y = x·scale + shift (co = stat rows);
// OP 1 input gradient: gx = A·gy + B·(x − mean) + D (co = coef rows). Reads x, gy (x again for
// OP 0), co; writes out. Three mappings of invocations to elements:
//   apply_naive  one element per invocation (the reference; SEEABLE_NAIVE_BN=1);
//   apply_runs   grid (⌈HW/4/WG⌉, planes over y·z): a run of 4 pixels of one plane, channel found
//                once per run (planes of ≥ 128 pixels);
//   apply_flat4  4 consecutive elements of the flat tensor, crossing planes as they come (small
//                planes, where plane-major grids would leave most lanes idle);
//   apply_vec4   HW % 4 == 0: one vec4 of the flat tensor (always inside one plane) per invocation.
// Neither fast path divides per element; on lavapipe they measured 2–4× faster than the naive one.
@group(0) @binding(3) var<storage, read> co: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// A stat row (mean, invstd, scale, shift) for OP 0; a coef row (A, B, D, mean, scale, shift, 0, 0)
// for OP 1.
struct Row { r0: f32, r1: f32, r2: f32, r3: f32, r4: f32, r5: f32 }

fn row(c: u32) -> Row {
  if (OP == 0u) {
    let q = 4u * c;
    return Row(co[q], co[q + 1u], co[q + 2u], co[q + 3u], 0.0, 0.0);
  }
  let q = 8u * c;
  return Row(co[q], co[q + 1u], co[q + 2u], co[q + 3u], co[q + 4u], co[q + 5u]);
}

fn apply_one(i: u32, k: Row) {
  let x = xs[i];
  if (OP == 0u) {
    let z = x * k.r2 + k.r3;
    out[i] = select(z, z * sigmoid(z), ACT == 1u);
  } else {
    out[i] = k.r0 * grad_pre(gys[i], x, k.r4, k.r5) + k.r1 * (x - k.r3) + k.r2;
  }
}

@compute @workgroup_size(WG)
fn apply_naive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.C * p.HW) { return; }
  apply_one(i, row((i / p.HW) % p.C));
}

@compute @workgroup_size(WG)
fn apply_runs(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let plane = gid.y + gid.z * nwg.y;
  let k0 = gid.x * 4u;
  if (plane >= p.N * p.C || k0 >= p.HW) { return; }
  let k = row(plane % p.C);
  let base = plane * p.HW + k0;
  for (var i = base; i < base + min(4u, p.HW - k0); i = i + 1u) { apply_one(i, k); }
}

@compute @workgroup_size(WG)
fn apply_flat4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i0 = (gid.x + gid.y * nwg.x * WG) * 4u;
  let n = p.N * p.C * p.HW;
  if (i0 >= n) { return; }
  let plane = i0 / p.HW;
  var at = i0 - plane * p.HW;
  var c = plane % p.C;
  var k = row(c);
  for (var i = i0; i < min(i0 + 4u, n); i = i + 1u) {
    if (at == p.HW) {
      at = 0u;
      c = select(c + 1u, 0u, c + 1u == p.C);
      k = row(c);
    }
    apply_one(i, k);
    at = at + 1u;
  }
}

@group(0) @binding(4) var<storage, read_write> out4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn apply_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let hw4 = p.HW / 4u;
  if (i >= p.N * p.C * hw4) { return; }
  let k = row((i / hw4) % p.C);
  let x = xs4[i];
  if (OP == 0u) {
    let z = x * k.r2 + k.r3;
    out4[i] = select(z, z * sigmoid4(z), ACT == 1u);
  } else {
    out4[i] = k.r0 * grad_pre4(gys4[i], x, k.r4, k.r5) + k.r1 * (x - k.r3) + k.r2;
  }
}
