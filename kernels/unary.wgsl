// Unary ops and their derivatives, one invocation per element, WG = 256.
// The op is an override constant; `alpha` is the leaky-ReLU slope (unused elsewhere).
// unary_backward computes gx = gy · f'(x) from the forward's input x.
// Bench: npm run bench -- elementwise

override WG: u32 = 256;
override OP: u32 = 0;

struct Params {
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@group(0) @binding(2) var<storage, read> gy: array<f32>;
@group(0) @binding(3) var<storage, read_write> gx: array<f32>;

fn sigmoid(v: f32) -> f32 {
  // Split by sign so that exp never overflows.
  if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
  let e = exp(v);
  return e / (1.0 + e);
}

fn f(v: f32) -> f32 {
  switch OP {
    case 0u: { return exp(v); }
    case 1u: { return log(v); }
    case 2u: { return sqrt(v); }
    case 3u: { return max(v, 0.0); }
    case 4u: { return sigmoid(v); }
    case 5u: { return v * sigmoid(v); }
    case 6u: { return tanh(v); }
    case 7u: { return select(p.alpha * v, v, v > 0.0); }
    case 8u: { return -v; }
    case 9u: { return abs(v); }
    case 10u: { return v * v; }
    case 11u: { return inverseSqrt(v); }
    case 12u: { return 1.0 / v; }
    case 13u: { return select(0.0, 1.0, v == 0.0); }
    case 14u: { return sign(v); }
    default: { return v; }
  }
}

fn df(v: f32) -> f32 {
  switch OP {
    case 0u: { return exp(v); }
    case 1u: { return 1.0 / v; }
    case 2u: { return 0.5 / sqrt(v); }
    case 3u: { return select(0.0, 1.0, v > 0.0); }
    case 4u: { let s = sigmoid(v); return s * (1.0 - s); }
    case 5u: { let s = sigmoid(v); return s * (1.0 + v * (1.0 - s)); }
    case 6u: { let t = tanh(v); return 1.0 - t * t; }
    case 7u: { return select(p.alpha, 1.0, v > 0.0); }
    case 8u: { return -1.0; }
    case 9u: { return sign(v); }
    case 10u: { return 2.0 * v; }
    case 11u: { return -0.5 * inverseSqrt(v) / v; }
    case 12u: { return -1.0 / (v * v); }
    case 13u, 14u: { return 0.0; }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  y[i] = f(x[i]);
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  gx[i] = gy[i] * df(x[i]);
}
