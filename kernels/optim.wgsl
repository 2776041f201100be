// Optimizer updates, in place on the parameter and its state buffers: one dispatch per parameter
// tensor, one invocation per element, WG = 256 (1-D grids fold into y past 65,535 groups:
// i = gid.x + gid.y * num_workgroups.x * WG). Every formula follows PyTorch's torch.optim
// (SGD: weight decay, momentum with dampening, Nesterov; Adam/AdamW: bias correction, eps
// outside the sqrt, AdamW's decoupled decay) so that a run replays a PyTorch one.
// Host-side scalars (bias corrections, step size) are computed in float64 and passed as f32.
// SAM (Foret et al., as in davda54/sam): sam_sumsq writes grid-stride partial sums of g² (or
// (|w|·g)² when ADAPTIVE) into a slot range per tensor; sam_scale reduces all partials in one
// workgroup (tree in workgroup memory) into scale = ρ / (‖g‖ + 1e-12); sam_perturb saves w and
// adds e_w = scale · g (· w² when ADAPTIVE).
// Bench: npm run bench -- optim

override WG: u32 = 256;
override ADAPTIVE: bool = false;

// ---- bindings (each entry point uses one variable per binding) ----
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> partials_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> p: array<f32>;
@group(0) @binding(2) var<storage, read> w_in: array<f32>;
@group(0) @binding(2) var<storage, read> scale_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> scale_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(3) var<storage, read_write> w: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> old: array<f32>;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// ---- SGD without momentum: p -= lr · (g + wd · p) ----
struct SgdParams { n: u32, lr: f32, wd: f32 }
@group(0) @binding(0) var<uniform> sp: SgdParams;

@compute @workgroup_size(WG)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= sp.n) { return; }
  let d = g[i] + sp.wd * p[i];
  p[i] = p[i] - sp.lr * d;
}

// ---- SGD with momentum: buf = d (first step) or momentum·buf + (1 − dampening)·d;
//      d = d + momentum·buf (Nesterov) or buf; p -= lr · d ----
struct MomentumParams { n: u32, lr: f32, wd: f32, momentum: f32, dampening: f32, nesterov: u32, first: u32 }
@group(0) @binding(0) var<uniform> mp: MomentumParams;

@compute @workgroup_size(WG)
fn sgd_momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= mp.n) { return; }
  let w0 = p[i];
  var d = g[i] + mp.wd * w0;
  var b = d;
  if (mp.first == 0u) { b = mp.momentum * buf[i] + (1.0 - mp.dampening) * d; }
  buf[i] = b;
  if (mp.nesterov != 0u) { d = d + mp.momentum * b; } else { d = b; }
  p[i] = w0 - mp.lr * d;
}

// ---- Adam / AdamW: d = g + l2·p (Adam's coupled decay); p *= decay_mul (AdamW: 1 − lr·wd);
//      m = β1·m + (1 − β1)·d; v = β2·v + (1 − β2)·d²; p -= step_size · m / (√v / √bc2 + eps) ----
struct AdamParams {
  n: u32, step_size: f32, bc2_sqrt: f32, beta1: f32,
  beta2: f32, eps: f32, l2: f32, decay_mul: f32,
}
@group(0) @binding(0) var<uniform> ap: AdamParams;

@compute @workgroup_size(WG)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= ap.n) { return; }
  let w0 = p[i];
  let d = g[i] + ap.l2 * w0;
  let w1 = w0 * ap.decay_mul;
  let m1 = ap.beta1 * m[i] + (1.0 - ap.beta1) * d;
  let v1 = ap.beta2 * v[i] + (1.0 - ap.beta2) * d * d;
  m[i] = m1;
  v[i] = v1;
  p[i] = w1 - ap.step_size * m1 / (sqrt(v1) / ap.bc2_sqrt + ap.eps);
}

// ---- SAM: partial sums of squares. Invocation j < count sums elements j, j + count, … of one
//      tensor (coalesced) into partials[offset + j]. ----
struct SumsqParams { n: u32, count: u32, offset: u32 }
@group(0) @binding(0) var<uniform> qp: SumsqParams;

@compute @workgroup_size(WG)
fn sam_sumsq(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flat(gid, nwg);
  if (j >= qp.count) { return; }
  var acc = 0.0;
  for (var i = j; i < qp.n; i += qp.count) {
    var x = g[i];
    if (ADAPTIVE) { x = x * abs(w_in[i]); }
    acc += x * x;
  }
  partials[qp.offset + j] = acc;
}

// ---- SAM: one workgroup sums `count` partials → scale = rho / (sqrt(total) + 1e-12) ----
struct ScaleParams { count: u32, rho: f32 }
@group(0) @binding(0) var<uniform> cp: ScaleParams;
var<workgroup> tree: array<f32, WG>;

@compute @workgroup_size(WG)
fn sam_scale(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < cp.count; i += WG) { acc += partials_in[i]; }
  tree[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { tree[lid] += tree[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { scale_out[0] = cp.rho / (sqrt(tree[0]) + 1e-12); }
}

// ---- SAM: old = w; w += e_w with e_w = scale · g (· w² when ADAPTIVE) ----
struct PerturbParams { n: u32 }
@group(0) @binding(0) var<uniform> pp: PerturbParams;

@compute @workgroup_size(WG)
fn sam_perturb(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= pp.n) { return; }
  let w0 = w[i];
  var e = scale_in[0] * g[i];
  if (ADAPTIVE) { e = e * w0 * w0; }
  old[i] = w0;
  w[i] = w0 + e;
}
