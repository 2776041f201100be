// conv2d as an implicit GEMM, NCHW (docs/layout.md): the im2col matrix is never stored; every
// invocation gathers its input taps on the fly into a register block of 4 output pixels along W ×
// 8 output channels (eight vec4 accumulators), so each gathered input value feeds 8 FMAs and each
// weight vec4 (uniform across the workgroup: all its invocations share the channel block) feeds 4.
//   main:       dst[n, g·Co+co, y, x] = Σ_{ci,ky,kx} src[n, g·Ci+ci, y·sh−pt+ky·dh, x·sw−pl+kx·dw] · w
//               (forward for any stride; conv2d_vec4.wgsl is the faster one for W stride 1 and 2)
//   transposed: grad-input, the same sum read backwards, phase-decomposed (see below)
// Weights come packed by conv2d_pack.wgsl as wp[((g·Ci + ci)·kh·kw + tap)·coPad/4 + co/4] (vec4 over
// output channels, coPad a multiple of 8) so that a channel block is two aligned vec4 loads.
// Workgroup 64 invocations along output pixels; grid (ceil(OH·ceil(OW/4)/64), groups·ceil(Co/8), N).
// No workgroup memory and no barriers: on lavapipe barriers cost more than re-reading cached inputs.
// Bench: npm run bench -- conv2d

override WG: u32 = 64;

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

// Source coordinate of output coordinate o through tap k (forward), or -1 outside the source.
fn srcCoord(o: i32, k: i32, s: i32, d: i32, pad: i32, n: i32) -> i32 {
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

// Grad-input: dX[n, g·Ci+ci, y, x] = Σ_{co,ky,kx} dY[n, g·Co+co, (y + pt − ky·dh)/sh, (x + pl − kx·dw)/sw] · w
// over the taps whose offsets divide by the stride. Decomposed by phase: a workgroup covers destination
// pixels (sh·qy + ry, sw·qx + rx) of one phase (ry, rx) (grid z = N·sh·sw), so whether a tap hits is
// uniform and a stride-2 backward visits only the taps that contribute (¼ of them), like the forward.
// Here the source is dY (p.Ci = forward Co channels, p.H × p.W = OH × OW), the destination dX (p.Co =
// forward Ci, p.OH × p.OW = H × W); weights packed transposed (rows over forward Co).
@compute @workgroup_size(WG)
fn transposed(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let phases = u32(p.sh * p.sw);
  let n = wid.z / phases;
  let phase = i32(wid.z - n * phases);
  let ry = phase / p.sw;
  let rx = phase - ry * p.sw;
  let qh = (i32(p.OH) - ry + p.sh - 1) / p.sh;
  let qw = (i32(p.OW) - rx + p.sw - 1) / p.sw;
  let qwBlocks = u32(max(qw + 3, 0) / 4);
  if (qh <= 0 || qw <= 0 || gid.x >= u32(qh) * qwBlocks) { return; }
  let qyu = qdiv(gid.x, qwBlocks);
  let qy = i32(qyu);
  let qx0 = i32(gid.x - qyu * qwBlocks) * 4;
  let g = qdiv(wid.y, p.coBlocks);
  let co0 = (wid.y - g * p.coBlocks) * 8u;
  let H = i32(p.H);
  let W = i32(p.W);
  let khw = p.kh * p.kw;
  let wRow = p.coBlocks * 2u;

  var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);

  let plane = p.H * p.W;
  for (var ky = 0; ky < i32(p.kh); ky++) {
    let ty = ry + p.pt - ky * p.dh;
    let iy = qy + i32(floor((f32(ty) + 0.5) / f32(p.sh)));  // exact when ty ≡ 0 (mod sh)
    if (ty - (iy - qy) * p.sh != 0) { continue; }            // uniform: this tap misses the phase
    let rowOk = iy >= 0 && iy < H;
    for (var kx = 0; kx < i32(p.kw); kx++) {
      let tx = rx + p.pl - kx * p.dw;
      let dx = i32(floor((f32(tx) + 0.5) / f32(p.sw)));
      if (tx - dx * p.sw != 0) { continue; }
      let ix = qx0 + dx;
      let ok0 = rowOk && ix >= 0 && ix < W;
      let ok1 = rowOk && ix + 1 >= 0 && ix + 1 < W;
      let ok2 = rowOk && ix + 2 >= 0 && ix + 2 < W;
      let ok3 = rowOk && ix + 3 >= 0 && ix + 3 < W;
      var src0 = (n * p.groups + g) * p.Ci * plane + u32(select(0, iy * W + ix, ok0));
      var src1 = (n * p.groups + g) * p.Ci * plane + u32(select(0, iy * W + ix + 1, ok1));
      var src2 = (n * p.groups + g) * p.Ci * plane + u32(select(0, iy * W + ix + 2, ok2));
      var src3 = (n * p.groups + g) * p.Ci * plane + u32(select(0, iy * W + ix + 3, ok3));
      var wi = ((g * p.Ci) * khw + u32(ky) * p.kw + u32(kx)) * wRow + co0 / 4u;
      for (var ci = 0u; ci < p.Ci; ci++) {
        let x0 = select(0.0, src[src0], ok0);
        let x1 = select(0.0, src[src1], ok1);
        let x2 = select(0.0, src[src2], ok2);
        let x3 = select(0.0, src[src3], ok3);
        let wa = wp[wi];
        let wb = wp[wi + 1u];
        a0 = fma(vec4(x0), wa, a0); b0 = fma(vec4(x0), wb, b0);
        a1 = fma(vec4(x1), wa, a1); b1 = fma(vec4(x1), wb, b1);
        a2 = fma(vec4(x2), wa, a2); b2 = fma(vec4(x2), wb, b2);
        a3 = fma(vec4(x3), wa, a3); b3 = fma(vec4(x3), wb, b3);
        src0 += plane; src1 += plane; src2 += plane; src3 += plane;
        wi += khw * wRow;
      }
    }
  }

  let outPlane = p.OH * p.OW;
  let y = u32(p.sh * qy + ry);
  let rowOut = (n * p.groups * p.Co + g * p.Co) * outPlane + y * p.OW;
  for (var c = 0u; c < 8u; c++) {
    let co = co0 + c;
    if (co >= p.Co) { break; }
    let k = c % 4u;
    let lo = c < 4u;
    let v = vec4<f32>(select(b0[k], a0[k], lo), select(b1[k], a1[k], lo), select(b2[k], a2[k], lo), select(b3[k], a3[k], lo));
    let o = rowOut + co * outPlane;
    for (var j = 0; j < 4; j++) {
      let x = p.sw * (qx0 + j) + rx;
      if (x < i32(p.OW)) { dst[o + u32(x)] = v[j]; }
    }
  }
}
