// Depthwise conv2d forward for small planes (EfficientNet's 14² and 7²), NCHW, weights [C, 1, KH, KW]:
// one invocation computes TH whole output rows of one channel. The widths (input WI, output WO ≤ 16)
// and the left padding are override constants, so every column index is a compile-time fact: the
// taps that fall into the left/right padding are dropped while compiling instead of multiplying zeros,
// each input row is read once per invocation (W loads, no per-pixel bounds checks), and no lane idles
// on columns past the plane's edge (the 4×8 tiles of depthwise.wgsl left a quarter idle at 14² and 7²).
// Grid (x, y) folds ceil(C·ceil(OH/TH)/WG), z = N.

override WG: u32 = 64;
override KH: u32 = 3;
override KW: u32 = 3;
override SH: i32 = 1;
override SW: i32 = 1;
override DH: i32 = 1;
override DW: i32 = 1;
override FLIP: bool = false;   // the window reversed (the stride-1 grad-input, see depthwise.ts)
override TH: u32 = 2;          // output rows per invocation (≤ 8)
override WI: i32 = 14;         // input width (≤ 16)
override WO: u32 = 14;         // output width (≤ 16)
override PL: i32 = 1;          // left padding

struct Params {
  C: u32, H: u32, W: u32, OH: u32, OW: u32, pt: i32, pl: i32, hasBias: u32, splits: u32, N: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> wts: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

fn qdiv(a: u32, b: u32) -> u32 { return u32((f32(a) + 0.5) / f32(b)); }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let bands = (p.OH + TH - 1u) / TH;
  let i = gid.x + wid.y * nwg.x * WG;
  if (i >= p.C * bands) { return; }
  let c = qdiv(i, bands);
  let oy0 = i32((i - c * bands) * TH);
  let n = wid.z;
  let H = i32(p.H);
  let base = (n * p.C + c) * p.H * u32(WI);
  var wk: array<f32, 25>;
  for (var t = 0u; t < KH * KW; t++) { wk[t] = wts[c * KH * KW + select(t, KH * KW - 1u - t, FLIP)]; }
  var acc: array<array<f32, 16>, 8>;
  for (var t = 0u; t < TH; t++) { for (var x = 0u; x < WO; x++) { acc[t][x] = 0.0; } }
  var xr: array<f32, 16>;
  let NR = i32(TH - 1u) * SH + i32(KH - 1u) * DH + 1;
  for (var r = 0; r < NR; r++) {
    let iy = oy0 * SH - p.pt + r;
    let ok = iy >= 0 && iy < H;
    // Rows in the padding read row 0 (in bounds) and count as zeros.
    let rowBase = base + u32(select(0, iy, ok)) * u32(WI);
    for (var x = 0; x < WI; x++) { xr[x] = select(0.0, src[rowBase + u32(x)], ok); }
    for (var t = 0u; t < TH; t++) {
      let d = r - i32(t) * SH;
      let ky = d / DH;
      if (d >= 0 && ky * DH == d && ky < i32(KH)) {
        for (var kx = 0u; kx < KW; kx++) {
          let wv = wk[u32(ky) * KW + kx];
          for (var ox = 0u; ox < WO; ox++) {
            let ix = i32(ox) * SW - PL + i32(kx) * DW;
            if (ix >= 0 && ix < WI) { acc[t][ox] = fma(xr[ix], wv, acc[t][ox]); }
          }
        }
      }
    }
  }
  var b = 0.0;
  if (p.hasBias == 1u) { b = bias[c]; }
  for (var t = 0u; t < TH; t++) {
    let oy = u32(oy0) + t;
    if (oy >= p.OH) { break; }
    let o = ((n * p.C + c) * p.OH + oy) * WO;
    for (var ox = 0u; ox < WO; ox++) { dst[o + ox] = acc[t][ox] + b; }
  }
}

// grad_weight: dW[c, ky, kx] = Σ_{n, oy, ox} dY[n, c, oy, ox] · X[n, c, oy·SH − pt + ky·DH, ox·SW − PL + kx·DW]
// with an invocation per (channel, kernel row) summing all N·OH output rows: each reads the dY row and
// the one input row it meets once, and the column offsets are compile-time facts as in `main`, so the
// taps in the padding drop out. KW accumulators (grad_weight_ky's layout, no split: at these plane
// sizes C·KH invocations are plenty). src = X, wts = dY, dst = dW [C, KH, KW]. Grid ceil(C·KH/WG).
@compute @workgroup_size(WG)
fn grad_weight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + wid.y * nwg.x * WG;
  if (i >= p.C * KH) { return; }
  let c = i / KH;
  let ky = i - c * KH;
  let H = i32(p.H);
  var acc: array<f32, 8>;
  for (var kx = 0u; kx < KW; kx++) { acc[kx] = 0.0; }
  var xr: array<f32, 16>;
  for (var n = 0u; n < p.N; n++) {
    let xBase = (n * p.C + c) * p.H * u32(WI);
    let gBase = (n * p.C + c) * p.OH * WO;
    for (var oy = 0u; oy < p.OH; oy++) {
      let iy = i32(oy) * SH - p.pt + i32(ky) * DH;
      if (iy < 0 || iy >= H) { continue; }
      let rowBase = xBase + u32(iy) * u32(WI);
      for (var x = 0; x < WI; x++) { xr[x] = src[rowBase + u32(x)]; }
      for (var ox = 0u; ox < WO; ox++) {
        let g = wts[gBase + oy * WO + ox];
        for (var kx = 0u; kx < KW; kx++) {
          let ix = i32(ox) * SW - PL + i32(kx) * DW;
          if (ix >= 0 && ix < WI) { acc[kx] = fma(g, xr[ix], acc[kx]); }
        }
      }
    }
  }
  for (var kx = 0u; kx < KW; kx++) { dst[i * KW + kx] = acc[kx]; }
}
