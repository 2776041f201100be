// Batched transpose that repacks a matmul operand: Y[b, c, r] = X[b, r, c].
// Used to turn Bᵀ (stored N×K) into B (K×N) so that A·Bᵀ runs on the vec4 entry of
// matmul_blocked.wgsl: its per-lane B reads are then adjacent 32-byte blocks of one row instead of
// one strided scalar per column (1024³ A·Bᵀ: 4.3 → 10.2 GFLOP/s by CPU time on lavapipe, repack included;
// it costs O(K·N) against O(M·N·K)).
// One element per invocation; x walks r so that the writes are contiguous.
// Workgroup 8×8; grid (ceil(R/8), ceil(C/8), batch). Layout: row-major, contiguous.
// Bench: npm run bench -- matmul   (case "1024³ A·Bᵀ")

struct Params {
  R: u32,
  C: u32,
  batch: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  let c = gid.y;
  let b = gid.z;
  if (r >= p.R || c >= p.C || b >= p.batch) { return; }
  Y[(b * p.C + c) * p.R + r] = X[(b * p.R + r) * p.C + c];
}
