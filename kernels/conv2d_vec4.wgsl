// conv2d forward as an implicit GEMM whose inner loop is as plain as the blocked matmul's, NCHW
// (docs/layout.md). Why this shape: on lavapipe every loop iteration, every lane-varying integer op
// (no AVX2: split in two) and every bounds check costs about as much as the FMAs, so the generic
// kernel (conv2d.wgsl) spends most of its time on index arithmetic. Here:
//   1. `shift` writes the zero-padded input as 4·SW shifted, vec4-aligned copies (those a tap reads)
//        xs[s·4 + a][n, c, y, u] = xpad[n, c, y, SW·(u + a) + s]      (s < SW, a < 4)
//      so that for any tap the 4 output pixels ox0..ox0+3 of an invocation read ONE aligned vec4:
//        xpad[y, SW·(ox0 + j) + off] = xs[s·4 + a][y, ox0 + 4·⌊q/4⌋ + j]  with off = kx·dw, s = off mod SW,
//        q = ⌊off / SW⌋, a = q mod 4.  No bounds checks, no shuffles.
//   2. `main` loops over taps outside and input channels inside: the inner loop is two pointer
//      increments, one vec4 gather of inputs, two vec4 weight loads (uniform across the workgroup:
//      weights packed tap-major by conv2d_pack.wgsl, vec4 over output channels) and 8 vec4 FMAs.
// Register block: 4 output pixels along W × 8 output channels (eight vec4 accumulators).
// Also runs the stride-1 grad-input (a forward conv of dY with flipped, transposed weights).
// WG 64 along output pixel blocks; grid (ceil(OH·ceil(OW/4)/64), groups·ceil(Co/8), samples in the chunk).
// Batches whose copies exceed one storage binding run in chunks of samples (n0, srcPlane0).
// Bench: npm run bench -- conv2d

override WG: u32 = 64;
override SW: u32 = 1;

// a / b without an integer division (emulated lane by lane on CPU adapters, ~100× an FMA):
// exact while a + b < 2^23, which the host guarantees for every index divided here.
fn qdiv(a: u32, b: u32) -> u32 { return u32((f32(a) + 0.5) / f32(b)); }

struct ShiftParams {
  total: u32,   // elements of one copy: N·C·Hp·Wq
  count: u32,   // elements this dispatch writes per copy, from plane0 on (< 2^22, see qdiv)
  plane0: u32,
  H: u32,
  W: u32,
  Hp: u32,
  Wq: u32,      // a multiple of 4
  pt: i32,
  pl: i32,
  srcPlane0: u32, // planes of x before the batch chunk being copied
  copyIds: u32, // the copies main reads (4 bits each, grid z picks one): 3 of 4 for 3×3/1, 3 of 8 for 3×3/2
}

@group(0) @binding(0) var<uniform> sp: ShiftParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> xsOut4: array<vec4<f32>>;

// One invocation per vec4 of a row of the copies main reads (copy index from copyIds by gid.z;
// Wq % 4 == 0), a range of planes per dispatch (count in elements). Copies no tap reads are left
// unwritten, and a vec4 per invocation rather than one element: by CPU time 3×3 1×32×112²→64 forward
// 8–20 % and the stem 15–40 % faster each (the shift pass had been 20–23 % of their GPU time).
// WG 256, grid (x, y) folded.
@compute @workgroup_size(256)
fn shift(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= sp.count / 4u) { return; }
  let copy = (sp.copyIds >> (4u * gid.z)) & 15u;
  let s = i32(copy / 4u);
  let a = i32(copy % 4u);
  let Wq4 = sp.Wq / 4u;
  let row = qdiv(i, Wq4);
  let u = 4 * i32(i - row * Wq4);
  let pl = qdiv(row, sp.Hp);
  let yy = i32(row - pl * sp.Hp) - sp.pt;
  let rowOk = yy >= 0 && yy < i32(sp.H);
  let src = i32((sp.srcPlane0 + sp.plane0 + pl) * sp.H * sp.W) + yy * i32(sp.W);
  var v = vec4<f32>(0.0);
  for (var j = 0; j < 4; j++) {
    let xx = i32(SW) * (u + j + a) + s - sp.pl;
    let ok = rowOk && xx >= 0 && xx < i32(sp.W);
    v[j] = select(0.0, x[u32(select(0, src + xx, ok))], ok);
  }
  xsOut4[(copy * sp.total + sp.plane0 * sp.Hp * sp.Wq) / 4u + i] = v;
}

struct Params {
  Ci: u32,      // source channels per group
  Co: u32,      // output channels per group
  groups: u32,
  Hp: u32,      // padded source rows
  Wq: u32,      // columns of one shifted copy (a multiple of 4)
  copy4: u32,   // vec4s in one shifted copy
  OH: u32,
  OW: u32,
  kh: u32,
  kw: u32,
  sh: u32,
  dh: u32,
  dw: u32,
  coBlocks: u32,
  hasBias: u32,
  n0: u32,      // first sample of the batch chunk (the copies hold samples n0 … n0 + grid z − 1)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> wp: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let owBlocks = (p.OW + 3u) / 4u;
  if (gid.x >= p.OH * owBlocks) { return; }
  let oy = qdiv(gid.x, owBlocks);
  let ox0 = (gid.x - oy * owBlocks) * 4u;
  let g = qdiv(wid.y, p.coBlocks);
  let co0 = (wid.y - g * p.coBlocks) * 8u;
  let n = gid.z;
  let wRow = p.coBlocks * 2u;   // vec4s per (tap, ci) row of wp
  let Wq4 = p.Wq / 4u;
  let plane4 = p.Hp * Wq4;
  // The only lane-varying address: this block's top-left in copy 0, in vec4 units.
  let base = (n * p.groups + g) * p.Ci * plane4 + oy * p.sh * Wq4 + ox0 / 4u;

  var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);

  var wi = g * p.kh * p.kw * p.Ci * wRow + co0 / 4u;
  for (var ky = 0u; ky < p.kh; ky++) {
    for (var kx = 0u; kx < p.kw; kx++) {
      let off = kx * p.dw;
      let q = off / SW;
      let copy = (off % SW) * 4u + q % 4u;
      var xi = copy * p.copy4 + base + ky * p.dh * Wq4 + q / 4u;
      for (var ci = 0u; ci < p.Ci; ci++) {
        let xv = xs[xi];
        let wa = wp[wi];
        let wb = wp[wi + 1u];
        a0 = fma(vec4(xv.x), wa, a0); b0 = fma(vec4(xv.x), wb, b0);
        a1 = fma(vec4(xv.y), wa, a1); b1 = fma(vec4(xv.y), wb, b1);
        a2 = fma(vec4(xv.z), wa, a2); b2 = fma(vec4(xv.z), wb, b2);
        a3 = fma(vec4(xv.w), wa, a3); b3 = fma(vec4(xv.w), wb, b3);
        xi += plane4;
        wi += wRow;
      }
    }
  }

  let outPlane = p.OH * p.OW;
  let rowOut = ((p.n0 + n) * p.groups * p.Co + g * p.Co) * outPlane + oy * p.OW + ox0;
  let nx = min(4u, p.OW - ox0);
  for (var c = 0u; c < 8u; c++) {
    let co = co0 + c;
    if (co >= p.Co) { break; }
    let k = c % 4u;
    let lo = c < 4u;
    var v = vec4<f32>(select(b0[k], a0[k], lo), select(b1[k], a1[k], lo), select(b2[k], a2[k], lo), select(b3[k], a3[k], lo));
    if (p.hasBias == 1u) { v += bias[g * p.Co + co]; }
    let o = rowOut + co * outPlane;
    for (var j = 0u; j < nx; j++) { dst[o + j] = v[j]; }
  }
}
