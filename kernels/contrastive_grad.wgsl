// Gradient of a row-coefficient loss (kernels/contrastive.wgsl) w.r.t. the embeddings:
//   dz[i, d] = scale · ( Σ_a (gz[i, a] + gz[a, i]) · z[a, d] + Σ_j gp[i, j] · P[j, d] )
// where scale = upstream gradient · weight (e.g. 1/N for a mean over anchors), read from `up`
// so that no host round trip is needed. One invocation per (i, d); WG = 64.

override WG: u32 = 64;

struct Params {
  N: u32,
  K: u32,
  D: u32,
  weight: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> protos: array<f32>;
@group(0) @binding(3) var<storage, read> gz: array<f32>;
@group(0) @binding(4) var<storage, read> gp: array<f32>;
@group(0) @binding(5) var<storage, read> up: array<f32>;
@group(0) @binding(6) var<storage, read_write> dz: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.N * p.D) { return; }
  let i = t / p.D;
  let d = t % p.D;
  var s = 0.0;
  for (var a = 0u; a < p.N; a = a + 1u) {
    s = s + (gz[i * p.N + a] + gz[a * p.N + i]) * z[a * p.D + d];
  }
  for (var j = 0u; j < p.K; j = j + 1u) {
    s = s + gp[i * p.K + j] * protos[j * p.D + d];
  }
  dz[t] = s * up[0] * p.weight;
}
