// 1×1 convolution (stride 1, no padding, one group) as ONE channel-major GEMM over all N·H·W pixels,
// reading and writing NCHW directly (docs/layout.md): no transposes, no per-sample products. Why: the
// per-sample matmuls W·X[n] of matmul_blocked.wgsl have only H·W columns, and EfficientNet's late
// stages have 4×4 and 2×2 planes (N = 16 or 4 columns per product, half the 8-column blocks idle);
// the weight gradient summed N per-sample products (N × Cout × Cin partials, then a reduce).
//
//   gemm      Y[n, m, p] = Σ_k opA(A)[m, k] · X[n, k, p] (+ bias[m]),  opA = Aᵀ when transA = 1.
//             forward: A = W [Cout, Cin]; grad-input: A = W, transA (dX = Wᵀ·dY).
//             Column j of the GEMM is pixel (n, p) = (j / HW, j mod HW). The inner loop is the blocked
//             matmul's (4 rows × 8 columns per invocation, eight vec4 accumulators, 4 scalar A loads and
//             2 vec4 B loads per k): each vec4 of 4 columns lies inside one sample (HW % 4 == 0), so
//             an invocation resolves its two vec4 column groups to (sample, pixel) once, outside the loop.
//   gemm_any  the same with scalar reads and writes: any HW (7×7 planes), 8 column offsets per invocation.
//   pack      Bp[k, j] = X[n, k, p] for column j = n·HW + p, zero-padded to a multiple of 8 columns: the
//             columns of any HW as one aligned row per channel, so that...
//   gemm_packed  ...the gemm loop reads its two vec4 column groups from Bp (2 vector loads per k where
//             gemm_any gathers 8 scalars) and stores scalars like gemm_any. For HW % 4 ≠ 0.
//   wgrad     dW[m, c] = Σ_{n,p} G[n, m, p] · X[n, c, p]: 4 rows (m) × 8 columns (c) per invocation, the
//             reduction over the flattened (n, p) split into chunks (grid z) whose partials
//             part[s, m, c] are summed afterwards (no atomics). Scalar loads: a vec4-along-p variant
//             with dot() products measured 0.7–1.1× of this one (by CPU time, B0 shapes at 64²).
// Workgroup WX × WY = 64 (override; WX along columns ≤ 8, narrower for few columns).
// Grid gemm, gemm_any, gemm_packed: (ceil(N·HW/8/WX), ceil(M/4/WY), 1); wgrad: (ceil(K/8/WX),
// ceil(M/4/WY), splits); pack: 1-D over K · padded columns, 64 a workgroup (folded into y past 65,535).
// Bench: npm run bench -- conv2d   (the 1×1 rows);  npm run bench -- seeable-step

override WX: u32 = 8;
override WY: u32 = 8;

struct Params {
  M: u32,       // rows of the output: Cout (forward, wgrad) or Cin (grad-input)
  K: u32,       // gemm: channels summed over; wgrad: columns of dW (Cin)
  HW: u32,
  N: u32,
  transA: u32,
  hasBias: u32,
  chunk: u32,   // wgrad: pixels of N·HW per split
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B1: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> C1: array<f32>;

// Offsets of the 4 rows of opA(A) an invocation reads (clamped into range) and the k stride.
struct RowsA { r0: u32, r1: u32, r2: u32, r3: u32, sk: u32 }

fn rowsA(m0: u32) -> RowsA {
  let last = p.M - 1u;
  let sm = select(p.K, 1u, p.transA == 1u);
  return RowsA(m0 * sm, min(m0 + 1u, last) * sm, min(m0 + 2u, last) * sm, min(m0 + 3u, last) * sm,
               select(1u, p.M, p.transA == 1u));
}

fn biasOf(m: u32) -> f32 {
  return select(0.0, bias[min(m, p.M - 1u)], p.hasBias == 1u);
}

// 4 rows × 8 columns of the product: rows ra of opA(A), columns the vec4s B4[first0] and B4[first1],
// both advancing `stride` vec4s per k. Eight vec4 accumulators, 4 scalar A loads and 2 vec4 B loads per
// k. gemm and gemm_packed share it (Mesa inlines every function, so on lavapipe the code is the same).
struct Block { x00: vec4<f32>, x01: vec4<f32>, x10: vec4<f32>, x11: vec4<f32>,
               x20: vec4<f32>, x21: vec4<f32>, x30: vec4<f32>, x31: vec4<f32> }

fn rowsTimesColumns(ra: RowsA, first0: u32, first1: u32, stride: u32) -> Block {
  var ia0 = ra.r0; var ia1 = ra.r1; var ia2 = ra.r2; var ia3 = ra.r3;
  var ib0 = first0; var ib1 = first1;
  var x00 = vec4<f32>(0.0); var x01 = vec4<f32>(0.0);
  var x10 = vec4<f32>(0.0); var x11 = vec4<f32>(0.0);
  var x20 = vec4<f32>(0.0); var x21 = vec4<f32>(0.0);
  var x30 = vec4<f32>(0.0); var x31 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let b0 = B4[ib0];
    let b1 = B4[ib1];
    let a0 = vec4(A[ia0]);
    let a1 = vec4(A[ia1]);
    let a2 = vec4(A[ia2]);
    let a3 = vec4(A[ia3]);
    x00 = fma(a0, b0, x00); x01 = fma(a0, b1, x01);
    x10 = fma(a1, b0, x10); x11 = fma(a1, b1, x11);
    x20 = fma(a2, b0, x20); x21 = fma(a2, b1, x21);
    x30 = fma(a3, b0, x30); x31 = fma(a3, b1, x31);
    ia0 += ra.sk; ia1 += ra.sk; ia2 += ra.sk; ia3 += ra.sk;
    ib0 += stride; ib1 += stride;
  }
  return Block(x00, x01, x10, x11, x20, x21, x30, x31);
}

@compute @workgroup_size(WX, WY)
fn gemm(@builtin(global_invocation_id) gid: vec3<u32>) {
  let HW4 = p.HW / 4u;
  let cols4 = p.N * HW4;
  let c0 = gid.x * 2u;
  let m0 = gid.y * 4u;
  if (c0 >= cols4 || m0 >= p.M) { return; }
  let c1 = min(c0 + 1u, cols4 - 1u);
  let n0 = c0 / HW4;
  let q0 = c0 - n0 * HW4;
  let n1 = c1 / HW4;
  let q1 = c1 - n1 * HW4;
  let x = rowsTimesColumns(rowsA(m0), n0 * p.K * HW4 + q0, n1 * p.K * HW4 + q1, HW4);
  let has1 = c0 + 1u < cols4;
  var o0 = (n0 * p.M + m0) * HW4 + q0;
  var o1 = (n1 * p.M + m0) * HW4 + q1;
  C4[o0] = x.x00 + biasOf(m0); if (has1) { C4[o1] = x.x01 + biasOf(m0); }
  if (m0 + 1u < p.M) { o0 += HW4; o1 += HW4; C4[o0] = x.x10 + biasOf(m0 + 1u); if (has1) { C4[o1] = x.x11 + biasOf(m0 + 1u); } }
  if (m0 + 2u < p.M) { o0 += HW4; o1 += HW4; C4[o0] = x.x20 + biasOf(m0 + 2u); if (has1) { C4[o1] = x.x21 + biasOf(m0 + 2u); } }
  if (m0 + 3u < p.M) { o0 += HW4; o1 += HW4; C4[o0] = x.x30 + biasOf(m0 + 3u); if (has1) { C4[o1] = x.x31 + biasOf(m0 + 3u); } }
}

// Offset of GEMM column j (clamped to the last one) in a [N, R, HW] tensor at channel 0.
fn colOffset(j: u32, R: u32) -> u32 {
  let jj = min(j, p.N * p.HW - 1u);
  let n = jj / p.HW;
  return n * R * p.HW + (jj - n * p.HW);
}

// Write row m of an 8-column block whose columns start at j0 (scalar, guarded).
fn storeRow(j0: u32, m: u32, lo: vec4<f32>, hi: vec4<f32>) {
  let cols = p.N * p.HW;
  let b = biasOf(m);
  for (var c = 0u; c < 8u; c++) {
    let j = j0 + c;
    if (j >= cols) { break; }
    let v = select(hi[c & 3u], lo[c & 3u], c < 4u);
    C1[colOffset(j, p.M) + m * p.HW] = v + b;
  }
}

@compute @workgroup_size(WX, WY)
fn gemm_any(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j0 = gid.x * 8u;
  let m0 = gid.y * 4u;
  if (j0 >= p.N * p.HW || m0 >= p.M) { return; }
  let s0 = colOffset(j0, p.K); let s1 = colOffset(j0 + 1u, p.K);
  let s2 = colOffset(j0 + 2u, p.K); let s3 = colOffset(j0 + 3u, p.K);
  let s4 = colOffset(j0 + 4u, p.K); let s5 = colOffset(j0 + 5u, p.K);
  let s6 = colOffset(j0 + 6u, p.K); let s7 = colOffset(j0 + 7u, p.K);
  let ra = rowsA(m0);
  var ia0 = ra.r0; var ia1 = ra.r1; var ia2 = ra.r2; var ia3 = ra.r3;
  var ib = 0u;
  var x00 = vec4<f32>(0.0); var x01 = vec4<f32>(0.0);
  var x10 = vec4<f32>(0.0); var x11 = vec4<f32>(0.0);
  var x20 = vec4<f32>(0.0); var x21 = vec4<f32>(0.0);
  var x30 = vec4<f32>(0.0); var x31 = vec4<f32>(0.0);
  for (var k = 0u; k < p.K; k++) {
    let b0 = vec4(B1[ib + s0], B1[ib + s1], B1[ib + s2], B1[ib + s3]);
    let b1 = vec4(B1[ib + s4], B1[ib + s5], B1[ib + s6], B1[ib + s7]);
    let a0 = vec4(A[ia0]);
    let a1 = vec4(A[ia1]);
    let a2 = vec4(A[ia2]);
    let a3 = vec4(A[ia3]);
    x00 = fma(a0, b0, x00); x01 = fma(a0, b1, x01);
    x10 = fma(a1, b0, x10); x11 = fma(a1, b1, x11);
    x20 = fma(a2, b0, x20); x21 = fma(a2, b1, x21);
    x30 = fma(a3, b0, x30); x31 = fma(a3, b1, x31);
    ia0 += ra.sk; ia1 += ra.sk; ia2 += ra.sk; ia3 += ra.sk;
    ib += p.HW;
  }
  storeRow(j0, m0, x00, x01);
  if (m0 + 1u < p.M) { storeRow(j0, m0 + 1u, x10, x11); }
  if (m0 + 2u < p.M) { storeRow(j0, m0 + 2u, x20, x21); }
  if (m0 + 3u < p.M) { storeRow(j0, m0 + 3u, x30, x31); }
}

// Columns of the packed B (a multiple of 8, so both vec4 groups of an invocation exist).
fn packedCols() -> u32 {
  return (p.N * p.HW + 7u) / 8u * 8u;
}

// pack: B1 = X [N, K, HW] → C1 = Bp [K, packedCols()].
@compute @workgroup_size(64)
fn pack(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  let W = packedCols();
  if (i >= p.K * W) { return; }
  let k = i / W;
  let j = i - k * W;
  if (j >= p.N * p.HW) { C1[i] = 0.0; return; }
  let n = j / p.HW;
  C1[i] = B1[(n * p.K + k) * p.HW + (j - n * p.HW)];
}

@compute @workgroup_size(WX, WY)
fn gemm_packed(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j0 = gid.x * 8u;
  let m0 = gid.y * 4u;
  if (j0 >= p.N * p.HW || m0 >= p.M) { return; }
  let x = rowsTimesColumns(rowsA(m0), gid.x * 2u, gid.x * 2u + 1u, packedCols() / 4u);
  storeRow(j0, m0, x.x00, x.x01);
  if (m0 + 1u < p.M) { storeRow(j0, m0 + 1u, x.x10, x.x11); }
  if (m0 + 2u < p.M) { storeRow(j0, m0 + 2u, x.x20, x.x21); }
  if (m0 + 3u < p.M) { storeRow(j0, m0 + 3u, x.x30, x.x31); }
}

// wgrad: A = G (dY) [N, M, HW], B = X [N, K, HW], C = part [splits, M, K].
@compute @workgroup_size(WX, WY)
fn wgrad(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 8u;
  let m0 = gid.y * 4u;
  if (c0 >= p.K || m0 >= p.M) { return; }
  let P = p.N * p.HW;
  let begin = gid.z * p.chunk;
  let end = min(P, begin + p.chunk);
  // Channel offsets within a sample (clamped; the clamped ones are not written).
  let lastM = p.M - 1u;
  let lastK = p.K - 1u;
  let g0 = m0 * p.HW; let g1 = min(m0 + 1u, lastM) * p.HW;
  let g2 = min(m0 + 2u, lastM) * p.HW; let g3 = min(m0 + 3u, lastM) * p.HW;
  let xc = vec4<u32>(c0, min(c0 + 1u, lastK), min(c0 + 2u, lastK), min(c0 + 3u, lastK)) * p.HW;
  let xd = vec4<u32>(min(c0 + 4u, lastK), min(c0 + 5u, lastK), min(c0 + 6u, lastK), min(c0 + 7u, lastK)) * p.HW;
  var x00 = vec4<f32>(0.0); var x01 = vec4<f32>(0.0);
  var x10 = vec4<f32>(0.0); var x11 = vec4<f32>(0.0);
  var x20 = vec4<f32>(0.0); var x21 = vec4<f32>(0.0);
  var x30 = vec4<f32>(0.0); var x31 = vec4<f32>(0.0);
  var n = begin / p.HW;
  var px = begin - n * p.HW;
  var gb = n * p.M * p.HW + px;   // G[n, 0, px]
  var xb = n * p.K * p.HW + px;   // X[n, 0, px]
  for (var q = begin; q < end; q++) {
    let a0 = vec4(A[gb + g0]); let a1 = vec4(A[gb + g1]);
    let a2 = vec4(A[gb + g2]); let a3 = vec4(A[gb + g3]);
    let b0 = vec4(B1[xb + xc.x], B1[xb + xc.y], B1[xb + xc.z], B1[xb + xc.w]);
    let b1 = vec4(B1[xb + xd.x], B1[xb + xd.y], B1[xb + xd.z], B1[xb + xd.w]);
    x00 = fma(a0, b0, x00); x01 = fma(a0, b1, x01);
    x10 = fma(a1, b0, x10); x11 = fma(a1, b1, x11);
    x20 = fma(a2, b0, x20); x21 = fma(a2, b1, x21);
    x30 = fma(a3, b0, x30); x31 = fma(a3, b1, x31);
    px++; gb++; xb++;
    if (px == p.HW) { px = 0u; gb += (p.M - 1u) * p.HW; xb += (p.K - 1u) * p.HW; }
  }
  let o = (gid.z * p.M + m0) * p.K + c0;
  wstore(o, c0, x00, x01);
  if (m0 + 1u < p.M) { wstore(o + p.K, c0, x10, x11); }
  if (m0 + 2u < p.M) { wstore(o + 2u * p.K, c0, x20, x21); }
  if (m0 + 3u < p.M) { wstore(o + 3u * p.K, c0, x30, x31); }
}

fn wstore(o: u32, c0: u32, lo: vec4<f32>, hi: vec4<f32>) {
  for (var c = 0u; c < 8u; c++) {
    if (c0 + c >= p.K) { break; }
    C1[o + c] = select(hi[c & 3u], lo[c & 3u], c < 4u);
  }
}
