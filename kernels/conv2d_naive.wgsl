// Naive conv2d, NCHW, the permanent reference for conv2d.wgsl (tests cross-check them on odd shapes;
// SEEABLE_NAIVE_CONV=1 routes every conv2d forward here): one output per invocation,
// dst[n, g·Co+co, y, x] = bias + Σ_{ci,ky,kx} src[n, g·Ci+ci, y·sh−pt+ky·dh, x·sw−pl+kx·dw] · w[g·Co+co, ci, ky, kx].
// Weights raw PyTorch OIHW. WG = 256, 1-D grid over N·groups·Co·OH·OW folded into y.
// Bench: npm run bench -- conv2d

override WG: u32 = 256;

struct Params {
  total: u32,
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
  hasBias: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.total) { return; }
  let ox = i32(i % p.OW);
  let oy = i32((i / p.OW) % p.OH);
  let c = (i / (p.OW * p.OH)) % (p.groups * p.Co);
  let n = i / (p.OW * p.OH * p.groups * p.Co);
  let g = c / p.Co;
  var acc = 0.0;
  if (p.hasBias == 1u) { acc = bias[c]; }
  for (var ci = 0u; ci < p.Ci; ci++) {
    let plane = ((n * p.groups + g) * p.Ci + ci) * p.H * p.W;
    for (var ky = 0u; ky < p.kh; ky++) {
      let iy = oy * p.sh - p.pt + i32(ky) * p.dh;
      if (iy < 0 || iy >= i32(p.H)) { continue; }
      for (var kx = 0u; kx < p.kw; kx++) {
        let ix = ox * p.sw - p.pl + i32(kx) * p.dw;
        if (ix < 0 || ix >= i32(p.W)) { continue; }
        acc += src[plane + u32(iy) * p.W + u32(ix)] * w[((c * p.Ci + ci) * p.kh + ky) * p.kw + kx];
      }
    }
  }
  dst[i] = acc;
}
