// Register-blocked batched matmul for CPU (software) adapters such as lavapipe: no workgroup memory,
// no barriers. C[b, m, n] = Σ_k opA(A)[b, m, k] · opB(B)[b, k, n], opX = transpose when p.transX = 1;
// batch strides of 0 broadcast an operand over the batch.
//
// Algorithm: each invocation owns a 4-row × 8-column block of C and keeps it in eight named vec4
// accumulators (x<row><half>). Per k it reads 4 values of A and 8 of B and does 8 vec4 FMAs.
// lavapipe runs the invocations of a workgroup as 8-wide SIMD lanes of one CPU thread, x fastest,
// and loads each lane's element separately (a gather per component), so loads per FMA (12 per 32
// here) and register spills (32 accumulators > 16 ymm registers) weigh most. Bigger blocks (8×8, 6×8, 4×12), K unrolling and vec4-along-K reads of A
// measured equal or slower (bench/README.md). ≈ 9–13 GFLOP/s by CPU time on 2 AVX2 cores.
// Edge tiles: row and column indices are clamped for the reads (duplicate work, never out of
// bounds) and the writes are guarded, so any M, N, K is correct.
//
// Entry points (same bindings, the layout is picked in src/ops/matmul.ts chooseMatmulKernel()):
//   main     — B read as vec4 along N, C written as vec4: needs N % 4 == 0 and transB = 0
//              (16-byte-aligned rows; a transposed B is repacked by matmul_transpose.wgsl first);
//              transA is handled by strides.
//   main_any — every read and write scalar: any N, transA and transB (the edge/transposed variant).
// Workgroup: WX × WY invocations (override; WX·WY ≤ 256; chosen 64 with WX ≤ 8, WX narrower for narrow N).
// Grid: (ceil(N/8/WX), ceil(M/4/WY), batch).
// Layout: row-major, contiguous; C is [batch, M, N].
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

override WX: u32 = 8;
override WY: u32 = 8;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> C4: array<vec4<f32>>;
// The scalar variant binds the same buffers with scalar element types.
@group(0) @binding(2) var<storage, read> B1: array<f32>;
@group(0) @binding(3) var<storage, read_write> C1: array<f32>;

// Offsets of the 4 rows of opA(A) this invocation reads, clamped into range, and the k stride.
struct RowsA { r0: u32, r1: u32, r2: u32, r3: u32, sk: u32 }

fn rowsA(b: u32, m0: u32) -> RowsA {
  let last = p.M - 1u;
  let sm = select(p.K, 1u, p.transA == 1u);
  let base = b * p.strideA;
  return RowsA(
    base + m0 * sm,
    base + min(m0 + 1u, last) * sm,
    base + min(m0 + 2u, last) * sm,
    base + min(m0 + 3u, last) * sm,
    select(1u, p.M, p.transA == 1u),
  );
}

@compute @workgroup_size(WX, WY)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let N4 = p.N / 4u;
  let c0 = gid.x * 2u; // first of this invocation's two vec4 columns
  let m0 = gid.y * 4u;
  let b = gid.z;
  if (c0 >= N4 || m0 >= p.M || b >= p.batch) { return; }
  let c1 = min(c0 + 1u, N4 - 1u);
  let ra = rowsA(b, m0);
  var ia0 = ra.r0;
  var ia1 = ra.r1;
  var ia2 = ra.r2;
  var ia3 = ra.r3;
  var ib = b * (p.strideB / 4u);
  var x00 = vec4<f32>(0.0); var x01 = vec4<f32>(0.0);
  var x10 = vec4<f32>(0.0); var x11 = vec4<f32>(0.0);
  var x20 = vec4<f32>(0.0); var x21 = vec4<f32>(0.0);
  var x30 = vec4<f32>(0.0); var x31 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let b0 = B4[ib + c0];
    let b1 = B4[ib + c1];
    let a0 = vec4(A[ia0]);
    let a1 = vec4(A[ia1]);
    let a2 = vec4(A[ia2]);
    let a3 = vec4(A[ia3]);
    x00 = fma(a0, b0, x00); x01 = fma(a0, b1, x01);
    x10 = fma(a1, b0, x10); x11 = fma(a1, b1, x11);
    x20 = fma(a2, b0, x20); x21 = fma(a2, b1, x21);
    x30 = fma(a3, b0, x30); x31 = fma(a3, b1, x31);
    ia0 += ra.sk; ia1 += ra.sk; ia2 += ra.sk; ia3 += ra.sk;
    ib += N4;
  }
  let has1 = c0 + 1u < N4;
  var o = (b * p.M + m0) * N4 + c0;
  C4[o] = x00; if (has1) { C4[o + 1u] = x01; }
  if (m0 + 1u < p.M) { o += N4; C4[o] = x10; if (has1) { C4[o + 1u] = x11; } }
  if (m0 + 2u < p.M) { o += N4; C4[o] = x20; if (has1) { C4[o + 1u] = x21; } }
  if (m0 + 3u < p.M) { o += N4; C4[o] = x30; if (has1) { C4[o + 1u] = x31; } }
}

fn store4(o: u32, n0: u32, v: vec4<f32>) {
  let n = p.N - n0; // columns left from n0 (≥ 1)
  C1[o] = v.x;
  if (n > 1u) { C1[o + 1u] = v.y; }
  if (n > 2u) { C1[o + 2u] = v.z; }
  if (n > 3u) { C1[o + 3u] = v.w; }
}

@compute @workgroup_size(WX, WY)
fn main_any(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n0 = gid.x * 8u;
  let m0 = gid.y * 4u;
  let b = gid.z;
  if (n0 >= p.N || m0 >= p.M || b >= p.batch) { return; }
  let ra = rowsA(b, m0);
  var ia0 = ra.r0;
  var ia1 = ra.r1;
  var ia2 = ra.r2;
  var ia3 = ra.r3;
  // opB(B)[k, n] = B[n·sn + k·sk]
  let sn = select(1u, p.K, p.transB == 1u);
  let sk = select(p.N, 1u, p.transB == 1u);
  let last = p.N - 1u;
  let j0 = n0 * sn;
  let j1 = min(n0 + 1u, last) * sn;
  let j2 = min(n0 + 2u, last) * sn;
  let j3 = min(n0 + 3u, last) * sn;
  let j4 = min(n0 + 4u, last) * sn;
  let j5 = min(n0 + 5u, last) * sn;
  let j6 = min(n0 + 6u, last) * sn;
  let j7 = min(n0 + 7u, last) * sn;
  var ib = b * p.strideB;
  var x00 = vec4<f32>(0.0); var x01 = vec4<f32>(0.0);
  var x10 = vec4<f32>(0.0); var x11 = vec4<f32>(0.0);
  var x20 = vec4<f32>(0.0); var x21 = vec4<f32>(0.0);
  var x30 = vec4<f32>(0.0); var x31 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let b0 = vec4(B1[ib + j0], B1[ib + j1], B1[ib + j2], B1[ib + j3]);
    let b1 = vec4(B1[ib + j4], B1[ib + j5], B1[ib + j6], B1[ib + j7]);
    let a0 = vec4(A[ia0]);
    let a1 = vec4(A[ia1]);
    let a2 = vec4(A[ia2]);
    let a3 = vec4(A[ia3]);
    x00 = fma(a0, b0, x00); x01 = fma(a0, b1, x01);
    x10 = fma(a1, b0, x10); x11 = fma(a1, b1, x11);
    x20 = fma(a2, b0, x20); x21 = fma(a2, b1, x21);
    x30 = fma(a3, b0, x30); x31 = fma(a3, b1, x31);
    ia0 += ra.sk; ia1 += ra.sk; ia2 += ra.sk; ia3 += ra.sk;
    ib += sk;
  }
  let has1 = n0 + 4u < p.N;
  var o = (b * p.M + m0) * p.N + n0;
  store4(o, n0, x00); if (has1) { store4(o + 4u, n0 + 4u, x01); }
  if (m0 + 1u < p.M) { o += p.N; store4(o, n0, x10); if (has1) { store4(o + 4u, n0 + 4u, x11); } }
  if (m0 + 2u < p.M) { o += p.N; store4(o, n0, x20); if (has1) { store4(o + 4u, n0 + 4u, x21); } }
  if (m0 + 3u < p.M) { o += p.N; store4(o, n0, x30); if (has1) { store4(o + 4u, n0 + 4u, x31); } }
}
