// conv2d weight gradient, NCHW: dW[g·Co+co, ci, ky, kx] = Σ_{n,y,x} dY[n, g·Co+co, y, x] · X[n, g·Ci+ci, y·sh−pt+ky·dh, x·sw−pl+kx·dw].
// A GEMM dW[Co, Ci·kh·kw] = dY[Co, P] · col(X)[Ci·kh·kw, P]ᵀ whose reduction axis P = N·OH·OW is long:
// it is split into `splits` chunks (grid z) written as partials part[s, Cout, Ci·kh·kw], summed by the
// host afterwards (no float atomics, deterministic). Each invocation owns 4 consecutive columns r
// (r = ci·kh·kw + tap) × 8 output channels: the 8 dY values of a pixel are uniform across the workgroup
// (one channel block per workgroup), the 4 X taps are gathered per invocation; 8 vec4 accumulators.
// WG = 64 along r-blocks; grid (ceil(ceil(Ci·kh·kw/4)/64), groups·ceil(Co/8), splits).
// Bench: npm run bench -- conv2d

override WG: u32 = 64;

struct Params {
  N: u32,
  Ci: u32,
  Co: u32,
  groups: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  kh: u32,
  kw: u32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  pt: i32,
  pl: i32,
  coBlocks: u32,
  chunk: u32,   // output pixels (over N·OH·OW) per split
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> part: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let khw = p.kh * p.kw;
  let R = p.Ci * khw;
  let r0 = gid.x * 4u;
  if (r0 >= R) { return; }
  let g = wid.y / p.coBlocks;
  let co0 = (wid.y % p.coBlocks) * 8u;
  let s = gid.z;
  let plane = p.H * p.W;
  let oplane = p.OH * p.OW;
  let P = p.N * oplane;
  let pBegin = s * p.chunk;
  let pEnd = min(P, pBegin + p.chunk);

  // Per-column tap geometry (columns past R repeat the last one; their sums are not written).
  var offY: vec4<i32>;
  var offX: vec4<i32>;
  var base: vec4<u32>;
  for (var j = 0u; j < 4u; j++) {
    let r = min(r0 + j, R - 1u);
    let ci = r / khw;
    let tap = r % khw;
    offY[j] = i32(tap / p.kw) * p.dh - p.pt;
    offX[j] = i32(tap % p.kw) * p.dw - p.pl;
    base[j] = (g * p.Ci + ci) * plane;
  }
  // dY channel offsets of the block (channels past Co repeat the last one; not written either).
  var dyc0: vec4<u32>;
  var dyc1: vec4<u32>;
  for (var c = 0u; c < 4u; c++) {
    dyc0[c] = (g * p.Co + min(co0 + c, p.Co - 1u)) * oplane;
    dyc1[c] = (g * p.Co + min(co0 + 4u + c, p.Co - 1u)) * oplane;
  }

  var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);

  let H = i32(p.H);
  let W = i32(p.W);
  var n = pBegin / oplane;
  var rem = pBegin % oplane;
  var oy = rem / p.OW;
  var ox = rem % p.OW;
  for (var q = pBegin; q < pEnd; q++) {
    let xn = n * p.groups * p.Ci * plane;
    let dyn = n * p.groups * p.Co * oplane + oy * p.OW + ox;
    let ga = vec4<f32>(dy[dyn + dyc0.x], dy[dyn + dyc0.y], dy[dyn + dyc0.z], dy[dyn + dyc0.w]);
    let gb = vec4<f32>(dy[dyn + dyc1.x], dy[dyn + dyc1.y], dy[dyn + dyc1.z], dy[dyn + dyc1.w]);
    let iy = i32(oy) * p.sh + offY;
    let ix = i32(ox) * p.sw + offX;
    let ok = (iy >= vec4<i32>(0)) & (iy < vec4<i32>(H)) & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(W));
    let idx = xn + base + vec4<u32>(max(iy, vec4<i32>(0))) * p.W + vec4<u32>(max(ix, vec4<i32>(0)));
    let x0 = select(0.0, x[idx.x], ok.x);
    let x1 = select(0.0, x[idx.y], ok.y);
    let x2 = select(0.0, x[idx.z], ok.z);
    let x3 = select(0.0, x[idx.w], ok.w);
    a0 += x0 * ga; b0 += x0 * gb;
    a1 += x1 * ga; b1 += x1 * gb;
    a2 += x2 * ga; b2 += x2 * gb;
    a3 += x3 * ga; b3 += x3 * gb;
    ox++;
    if (ox == p.OW) {
      ox = 0u;
      oy++;
      if (oy == p.OH) { oy = 0u; n++; }
    }
  }

  let nr = min(4u, R - r0);
  let outBase = (s * p.groups * p.Co + g * p.Co) * R + r0;
  for (var c = 0u; c < 8u; c++) {
    let co = co0 + c;
    if (co >= p.Co) { break; }
    let k = c % 4u;
    let lo = c < 4u;
    let v = vec4<f32>(select(b0[k], a0[k], lo), select(b1[k], a1[k], lo), select(b2[k], a2[k], lo), select(b3[k], a3[k], lo));
    let o = outBase + co * R;
    for (var j = 0u; j < nr; j++) { part[o + j] = v[j]; }
  }
}
