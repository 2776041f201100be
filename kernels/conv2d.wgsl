// conv2d as an implicit GEMM, NCHW (docs/layout.md): the im2col matrix is never stored; every
// invocation gathers its input taps on the fly into a register block of 4 output pixels along W ×
// 8 output channels (eight vec4 accumulators), so each gathered input value feeds 8 FMAs and each
// weight vec4 (uniform across the workgroup: all its invocations share the channel block) feeds 4.
//   forward   (TRANSPOSED = false): dst[n, g·Co+co, y, x] = Σ_{ci,ky,kx} src[n, g·Ci+ci, y·sh−pt+ky·dh, x·sw−pl+kx·dw] · w
//   grad-input (TRANSPOSED = true): the same sum over the forward's taps read backwards,
//     src = dY, t = y + pt − ky·dh must be a multiple of sh (likewise x), source row t / sh.
// Weights come packed by conv2d_pack.wgsl as wp[((g·Ci + ci)·kh·kw + tap)·coPad/4 + co/4] (vec4 over
// output channels, coPad a multiple of 8) so that a channel block is two aligned vec4 loads.
// Workgroup 64 invocations along output pixels; grid (ceil(OH·ceil(OW/4)/64), groups·ceil(Co/8), N).
// No workgroup memory and no barriers: on lavapipe barriers cost more than re-reading cached inputs.
// Bench: npm run bench -- conv2d

override WG: u32 = 64;
override TRANSPOSED: bool = false;

struct Params {
  Ci: u32,      // reduction channels per group (source channels)
  Co: u32,      // output channels per group
  groups: u32,
  H: u32,       // source spatial size
  W: u32,
  OH: u32,      // destination spatial size
  OW: u32,
  kh: u32,
  kw: u32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  pt: i32,      // forward padding top / left (the extra SAME pixel is bottom/right, implicit)
  pl: i32,
  coBlocks: u32, // ceil(Co / 8)
  hasBias: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> wp: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// a / b without an integer division (emulated lane by lane on CPU adapters, ~100× an FMA):
// exact while a + b < 2^23, which the host guarantees for every index divided here.
fn qdiv(a: u32, b: u32) -> u32 { return u32((f32(a) + 0.5) / f32(b)); }

// Source coordinate of destination coordinate o through tap k, or -1 outside the source.
fn srcCoord(o: i32, k: i32, s: i32, d: i32, pad: i32, n: i32) -> i32 {
  if (TRANSPOSED) {
    let t = o + pad - k * d;
    let q = i32(floor((f32(t) + 0.5) / f32(s)));  // ⌊t / s⌋ without an integer division
    return select(-1, q, t >= 0 && q * s == t && q < n);
  }
  let i = o * s - pad + k * d;
  return select(-1, i, i >= 0 && i < n);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let owBlocks = (p.OW + 3u) / 4u;
  let pb = gid.x;
  if (pb >= p.OH * owBlocks) { return; }
  let oyu = qdiv(pb, owBlocks);
  let oy = i32(oyu);
  let ox0 = i32(pb - oyu * owBlocks) * 4;
  let g = qdiv(wid.y, p.coBlocks);
  let co0 = (wid.y - g * p.coBlocks) * 8u;
  let n = gid.z;
  let H = i32(p.H);
  let W = i32(p.W);
  let khw = p.kh * p.kw;
  let wRow = p.coBlocks * 2u;  // vec4s per (ci, tap) row of wp

  var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);

  let plane = p.H * p.W;
  var srcBase = (n * p.groups * p.Ci + g * p.Ci) * plane;
  var wi = (g * p.Ci * khw) * wRow + co0 / 4u;
  for (var ci = 0u; ci < p.Ci; ci++) {
    for (var ky = 0u; ky < p.kh; ky++) {
      let iy = srcCoord(oy, i32(ky), p.sh, p.dh, p.pt, H);
      let rowOk = iy >= 0;
      let row = srcBase + u32(max(iy, 0)) * p.W;
      for (var kx = 0u; kx < p.kw; kx++) {
        let ix0 = srcCoord(ox0, i32(kx), p.sw, p.dw, p.pl, W);
        let ix1 = srcCoord(ox0 + 1, i32(kx), p.sw, p.dw, p.pl, W);
        let ix2 = srcCoord(ox0 + 2, i32(kx), p.sw, p.dw, p.pl, W);
        let ix3 = srcCoord(ox0 + 3, i32(kx), p.sw, p.dw, p.pl, W);
        let x0 = select(0.0, src[row + u32(max(ix0, 0))], rowOk && ix0 >= 0);
        let x1 = select(0.0, src[row + u32(max(ix1, 0))], rowOk && ix1 >= 0);
        let x2 = select(0.0, src[row + u32(max(ix2, 0))], rowOk && ix2 >= 0);
        let x3 = select(0.0, src[row + u32(max(ix3, 0))], rowOk && ix3 >= 0);
        let wa = wp[wi];
        let wb = wp[wi + 1u];
        a0 += x0 * wa; b0 += x0 * wb;
        a1 += x1 * wa; b1 += x1 * wb;
        a2 += x2 * wa; b2 += x2 * wb;
        a3 += x3 * wa; b3 += x3 * wb;
        wi += wRow;
      }
    }
    srcBase += plane;
  }

  // Columns are pixels j = 0..3, rows channels: transpose on the way out.
  let outPlane = p.OH * p.OW;
  let rowOut = (n * p.groups * p.Co + g * p.Co) * outPlane + u32(oy) * p.OW + u32(ox0);
  let nx = min(4u, p.OW - u32(ox0));
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
