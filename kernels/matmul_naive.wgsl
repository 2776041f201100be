// Naive batched matmul, the permanent reference for the fast kernels: one output per invocation,
// C[b, m, n] = Σ_k opA(A)[b, m, k] · opB(B)[b, k, n], with opX = transpose when transX = 1.
// Batch strides of 0 broadcast an operand over the batch. WG = 8×8; grid (ceil(N/8), ceil(M/8), batch).
// Bench: npm run bench -- matmul

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batch: u32,
  strideA: u32,
  strideB: u32,
  transA: u32,
  transB: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  let b = gid.z;
  if (n >= p.N || m >= p.M || b >= p.batch) { return; }
  let a0 = b * p.strideA;
  let b0 = b * p.strideB;
  var acc = 0.0;
  for (var k = 0u; k < p.K; k = k + 1u) {
    let av = select(A[a0 + m * p.K + k], A[a0 + k * p.M + m], p.transA == 1u);
    let bv = select(B[b0 + k * p.N + n], B[b0 + n * p.K + k], p.transB == 1u);
    acc = acc + av * bv;
  }
  C[b * p.M * p.N + m * p.N + n] = acc;
}
