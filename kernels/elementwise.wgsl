// Elementwise kernels: binary ops (same shape, broadcast up to rank 6, tensor-scalar), unary ops
// and their derivatives, and fill. One invocation per output element; WG = 256 invocations.
// The op is an override constant, so every specialisation compiles to straight-line code.
// Index: flat = gid.x + gid.y * num_workgroups.x * WG (grids past 65,535 groups fold into y).
// Bench: npm run bench -- elementwise

override WG: u32 = 256;
override OP: u32 = 0;

struct Params {
  n: u32,
  rank: u32,
  scalar: f32,
  reversed: u32,
  d0: u32, d1: u32, d2: u32, d3: u32, d4: u32, d5: u32,
  sa0: u32, sa1: u32, sa2: u32, sa3: u32, sa4: u32, sa5: u32,
  sb0: u32, sb1: u32, sb2: u32, sb3: u32, sb4: u32, sb5: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return max(x, y); }
    case 5u: { return min(x, y); }
    case 6u: { return pow(x, y); }
    default: { return x; }
  }
}

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn binary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = apply(a[i], b[i]);
}

// Broadcast: output dims d0..d5 (innermost last, unused leading dims are 1); sa/sb are the inputs'
// strides, 0 along broadcast dims.
@compute @workgroup_size(WG)
fn binary_bcast(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  var r = i;
  let c5 = r % p.d5; r = r / p.d5;
  let c4 = r % p.d4; r = r / p.d4;
  let c3 = r % p.d3; r = r / p.d3;
  let c2 = r % p.d2; r = r / p.d2;
  let c1 = r % p.d1; r = r / p.d1;
  let c0 = r;
  let ia = c0 * p.sa0 + c1 * p.sa1 + c2 * p.sa2 + c3 * p.sa3 + c4 * p.sa4 + c5 * p.sa5;
  let ib = c0 * p.sb0 + c1 * p.sb1 + c2 * p.sb2 + c3 * p.sb3 + c4 * p.sb4 + c5 * p.sb5;
  out[i] = apply(a[ia], b[ib]);
}

// Tensor ∘ scalar (or scalar ∘ tensor when reversed = 1). `b` is bound but unused.
@compute @workgroup_size(WG)
fn binary_scalar(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.n) { return; }
  if (p.reversed == 1u) {
    out[i] = apply(p.scalar, a[i]);
  } else {
    out[i] = apply(a[i], p.scalar);
  }
}
