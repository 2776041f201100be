// Shared-memory tiled batched matmul for hardware GPUs.
// C[b, m, n] = Σ_k opA(A)[b, m, k] · opB(B)[b, k, n], opX = transpose when p.transX = 1;
// batch strides of 0 broadcast an operand over the batch.
//
// Algorithm: a 16×16 workgroup computes a 64×64 tile of C. Per step it stages a 64×16 slice of
// opA(A) and a 16×64 slice of opB(B) in workgroup memory (zero-filled past the edges, 8 KiB),
// then each invocation accumulates a 4×4 block — rows ly + 16i, columns lx + 16j, so that
// neighbouring invocations touch neighbouring addresses — in four named vec4 registers.
// Staging reads walk the operand's contiguous dimension across invocations (coalesced) for every
// transpose combination. On CPU adapters the two barriers per step are slow: chooseMatmulKernel()
// in src/ops/matmul.ts sends those to matmul_blocked.wgsl instead.
// Workgroup: 16×16 = 256. Grid: (ceil(N/64), ceil(M/64), batch). Layout: row-major, contiguous.
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

const TILE = 64u;
const TK = 16u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

var<workgroup> As: array<array<f32, TILE>, TK>; // As[k][m]
var<workgroup> Bs: array<array<f32, TILE>, TK>; // Bs[k][n]

fn loadA(b: u32, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  return A[b * p.strideA + select(m * p.K + k, k * p.M + m, p.transA == 1u)];
}

fn loadB(b: u32, k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  return B[b * p.strideB + select(k * p.N + n, n * p.K + k, p.transB == 1u)];
}

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let b = wid.z;
  let tm = wid.y * TILE;
  let tn = wid.x * TILE;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    for (var q = 0u; q < 4u; q++) {
      let e = li + 256u * q;
      // Element e of the slice, walked along A's contiguous dimension (k unless transposed).
      let ak = select(e % TK, e / TILE, p.transA == 1u);
      let am = select(e / TK, e % TILE, p.transA == 1u);
      As[ak][am] = loadA(b, tm + am, k0 + ak);
      let bk = select(e / TILE, e % TK, p.transB == 1u);
      let bn = select(e % TILE, e / TK, p.transB == 1u);
      Bs[bk][bn] = loadB(b, k0 + bk, tn + bn);
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let a = vec4(As[k][lid.y], As[k][lid.y + 16u], As[k][lid.y + 32u], As[k][lid.y + 48u]);
      let v = vec4(Bs[k][lid.x], Bs[k][lid.x + 16u], Bs[k][lid.x + 32u], Bs[k][lid.x + 48u]);
      acc0 = fma(vec4(a.x), v, acc0);
      acc1 = fma(vec4(a.y), v, acc1);
      acc2 = fma(vec4(a.z), v, acc2);
      acc3 = fma(vec4(a.w), v, acc3);
    }
    workgroupBarrier();
  }
  let base = b * p.M * p.N;
  store(base, tm + lid.y, tn + lid.x, acc0);
  store(base, tm + lid.y + 16u, tn + lid.x, acc1);
  store(base, tm + lid.y + 32u, tn + lid.x, acc2);
  store(base, tm + lid.y + 48u, tn + lid.x, acc3);
}

// Row m of the block: columns n, n+16, n+32, n+48.
fn store(base: u32, m: u32, n: u32, v: vec4<f32>) {
  if (m >= p.M) { return; }
  let o = base + m * p.N;
  if (n < p.N) { C[o + n] = v.x; }
  if (n + 16u < p.N) { C[o + n + 16u] = v.y; }
  if (n + 32u < p.N) { C[o + n + 32u] = v.z; }
  if (n + 48u < p.N) { C[o + n + 48u] = v.w; }
}
