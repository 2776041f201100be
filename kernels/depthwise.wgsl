// Depthwise conv2d, NCHW (docs/layout.md), weights [C, 1, KH, KW]: one filter per channel.
// The window (KH, KW ≤ 8, KH·KW ≤ 25), strides and dilations are override constants, so the tap
// loops unroll and the loads shared by neighbouring taps (stride 1: a row of 4 + KW − 1 inputs
// serves all 4·KW products) can be merged by the compiler. No workgroup memory, no barriers.
//   forward:     a 4-row × 8-column output tile per invocation (eight vec4 accumulators): each input
//                row of the tile's window is read once and feeds every output row it belongs to
//                (measured by CPU time: 4×4 tiles 1.3–2× over 4 pixels of one row; 4×8 another
//                0–70 %, most for 5×5). Invocations run over (channel, tile) flattened, so small
//                planes (7×7) fill whole workgroups. Planes narrower than 8 or shorter than 4 take a
//                TH × TW tile (overrides; 1–4 × 4) instead: 1.5–3× on EfficientNet's 4×4 and 2×2 planes.
//                WG 64; grid (x, y) folds ceil(C·ceil(OH/TH)·ceil(OW/TW)/64), z = N. On lavapipe, planes
//                ≤ 16 wide take whole rows per invocation instead (depthwise_rows.wgsl, 1.6–2.2×).
//   forward4:    the same with each input row read as aligned vec4s (W % 4 == 0, W stride ≤ 2): one
//                bounds check per vec4 instead of per pixel; 0.9–1.5× (3×3/1 ≈ equal, 5×5 and stride 2 most).
//   Both load the window's KH·KW weights once into registers (the tap loop had reloaded each for every
//   tile row it feeds: 1.3–1.5× by CPU time on B0's 3×3/1 56² and 5×5/1 28²).
//   grad_input:  the transposed conv, decomposed by phase: destination pixel (SH·qy + ry, SW·qx + rx).
//                Within a phase (uniform per workgroup: grid z = N·SH·SW) a tap either hits for a whole
//                4×8 tile of an invocation or for none, so a stride-2 backward does the forward's work,
//                not 4× it; each dY row of the tile's window is read once for every tap row it feeds.
//                (Stride 1 runs the tiled forward on dY with the window reversed instead; strides ≤ 2 the
//                gather kernel, depthwise_dx.wgsl, 2–2.5× faster: this one is left for larger strides.) Grid (x, y) folds the
//                (channel, block) invocations of the largest phase, z = N·SH·SW.
//   grad_weight: dW[c, tap] = Σ_{n,y,x} dY·X as a split reduction: invocation (c, l) sums the pixel
//                blocks l, l + splits, … of channel c; partials part[l, c, tap] are summed afterwards
//                (no atomics). Lanes run over channels, so the block loop is uniform. Grid (ceil(C/64), splits, 1).
//   grad_weight_ky: the same with an invocation per (channel, kernel row): KW accumulators, not KH·KW
//                (windows over 3×3 and strided ones; see there). Grid (ceil(C·KH/64), splits, 1).
// Bench: npm run bench -- conv2d

override WG: u32 = 64;
override KH: u32 = 3;
override KW: u32 = 3;
override SH: i32 = 1;
override SW: i32 = 1;
override DH: i32 = 1;
override DW: i32 = 1;
// forward with the window reversed: the stride-1 grad-input is this conv of dY (see depthwise.ts).
override FLIP: bool = false;
// forward tile: TH output rows (1–4) × TW columns (4 or 8); smaller tiles for planes narrower than
// 8 or shorter than 4 (EfficientNet's 4×4 and 2×2 late stages), where a 4×8 tile would mostly idle.
override TH: u32 = 4;
override TW: u32 = 8;

struct Params {
  C: u32,
  H: u32,       // the forward's input size
  W: u32,
  OH: u32,      // the forward's output size
  OW: u32,
  pt: i32,
  pl: i32,
  hasBias: u32,
  splits: u32,  // grad_weight only
  N: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;   // x (forward, grad_weight) or dY (grad_input)
@group(0) @binding(2) var<storage, read> aux: array<f32>;   // w (forward, grad_input) or dY (grad_weight)
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// a / b without an integer division (emulated lane by lane on CPU adapters, ~100× an FMA):
// exact while a + b < 2^23, which the host guarantees for every index divided here.
fn qdiv(a: u32, b: u32) -> u32 { return u32((f32(a) + 0.5) / f32(b)); }

fn load(base: u32, y: i32, x: i32, h: i32, w: i32) -> f32 {
  let ok = y >= 0 && y < h && x >= 0 && x < w;
  return select(0.0, src[base + u32(select(0, y * w + x, ok))], ok);
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  let owBlocks = (p.OW + TW - 1u) / TW;
  let ohBlocks = (p.OH + TH - 1u) / TH;
  let perPlane = ohBlocks * owBlocks;
  let i = gid.x + wid.y * nwg.x * WG;
  if (i >= p.C * perPlane) { return; }
  let c = qdiv(i, perPlane);
  let r0 = i - c * perPlane;
  let oby = qdiv(r0, owBlocks);
  let oy0 = i32(oby * TH);
  let ox0 = i32((r0 - oby * owBlocks) * TW);
  let n = wid.z;
  let H = i32(p.H);
  let W = i32(p.W);
  let base = (n * p.C + c) * p.H * p.W;
  let wBase = c * KH * KW;
  var wk: array<f32, 25>;   // the window's weights, loaded once (see forward4)
  for (var t = 0u; t < KH * KW; t++) { wk[t] = aux[wBase + select(t, KH * KW - 1u - t, FLIP)]; }
  var acc: array<vec4<f32>, 4>;
  var accB: array<vec4<f32>, 4>;
  for (var t = 0; t < i32(TH); t++) { acc[t] = vec4<f32>(0.0); accB[t] = vec4<f32>(0.0); }
  // Input rows of the tile's window; row r feeds output row t through tap ky = (r − t·SH) / DH.
  let NR = i32(TH - 1u) * SH + i32(KH - 1u) * DH + 1;
  for (var r = 0; r < NR; r++) {
    let iy = oy0 * SH - p.pt + r;
    for (var kx = 0u; kx < KW; kx++) {
      let ix = ox0 * SW - p.pl + i32(kx) * DW;
      let xv = vec4<f32>(load(base, iy, ix, H, W), load(base, iy, ix + SW, H, W),
                         load(base, iy, ix + 2 * SW, H, W), load(base, iy, ix + 3 * SW, H, W));
      var xw = vec4<f32>(0.0);
      if (TW == 8u) {
        xw = vec4<f32>(load(base, iy, ix + 4 * SW, H, W), load(base, iy, ix + 5 * SW, H, W),
                       load(base, iy, ix + 6 * SW, H, W), load(base, iy, ix + 7 * SW, H, W));
      }
      for (var t = 0; t < i32(TH); t++) {
        let d = r - t * SH;
        let ky = d / DH;
        if (d >= 0 && ky * DH == d && ky < i32(KH)) {
          let tap = u32(ky) * KW + kx;
          let wv = vec4(wk[tap]);
          acc[t] = fma(xv, wv, acc[t]);
          if (TW == 8u) { accB[t] = fma(xw, wv, accB[t]); }
        }
      }
    }
  }
  for (var t = 0; t < i32(TH); t++) {
    let oy = oy0 + t;
    if (oy >= i32(p.OH)) { break; }
    var v = acc[t];
    var vB = accB[t];
    if (p.hasBias == 1u) { v += bias[c]; vB += bias[c]; }
    let o = ((n * p.C + c) * p.OH + u32(oy)) * p.OW + u32(ox0);
    let nx = min(TW, p.OW - u32(ox0));
    for (var j = 0u; j < min(nx, 4u); j++) { dst[o + j] = v[j]; }
    for (var j = 4u; j < nx; j++) { dst[o + j] = vB[j - 4u]; }
  }
}

// forward4: `forward` for rows of whole vec4s (W % 4 == 0, SW ≤ 2, the left padding an override PL):
// each input row of the tile's window is read as NV aligned vec4s — a vec4 lies wholly inside the row
// or wholly in the padding, so one check per vec4 instead of one per pixel — into a register row from
// which every tap takes its 8 pixels at constant offsets (the tap loops unroll).
override PL: i32 = 0;
// vec4s of one tile row: columns SW·ox0 − PL + [0, (TW − 1)·SW + (KW − 1)·DW], in whole vec4s from V0 on.
const ROWMAX = 32u;
@group(0) @binding(1) var<storage, read> src4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn forward4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
  let V0 = (-PL - 3) / 4;                                  // floor(−PL / 4) for PL ≥ 0
  let NV = (i32(TW - 1u) * SW - PL + i32(KW - 1u) * DW) / 4 - V0 + 1;   // ≤ ROWMAX / 4 (checked on the host)
  let S0 = -PL - 4 * V0;                                   // column of the tile's first tap in row[]
  let owBlocks = (p.OW + TW - 1u) / TW;
  let ohBlocks = (p.OH + TH - 1u) / TH;
  let perPlane = ohBlocks * owBlocks;
  let i = gid.x + wid.y * nwg.x * WG;
  if (i >= p.C * perPlane) { return; }
  let c = qdiv(i, perPlane);
  let r0 = i - c * perPlane;
  let oby = qdiv(r0, owBlocks);
  let oy0 = i32(oby * TH);
  let ox0 = i32((r0 - oby * owBlocks) * TW);
  let n = wid.z;
  let H = i32(p.H);
  let W4 = i32(p.W / 4u);
  let base4 = i32((n * p.C + c) * p.H * (p.W / 4u));
  let q0 = (ox0 * SW) / 4 + V0;                            // first vec4 column of the tile's rows
  let wBase = c * KH * KW;
  // The window's weights, loaded once (in the tap loop they were reloaded for every tile row they feed).
  var wk: array<f32, 25>;
  for (var t = 0u; t < KH * KW; t++) { wk[t] = aux[wBase + select(t, KH * KW - 1u - t, FLIP)]; }
  var acc: array<vec4<f32>, 4>;
  var accB: array<vec4<f32>, 4>;
  for (var t = 0; t < i32(TH); t++) { acc[t] = vec4<f32>(0.0); accB[t] = vec4<f32>(0.0); }
  var row: array<f32, ROWMAX>;
  let NR = i32(TH - 1u) * SH + i32(KH - 1u) * DH + 1;
  for (var r = 0; r < NR; r++) {
    let iy = oy0 * SH - p.pt + r;
    let rowOk = iy >= 0 && iy < H;
    for (var v = 0; v < NV; v++) {
      let q = q0 + v;
      let ok = rowOk && q >= 0 && q < W4;
      let x4 = select(vec4<f32>(0.0), src4[u32(select(0, base4 + iy * W4 + q, ok))], ok);
      row[4 * v] = x4.x; row[4 * v + 1] = x4.y; row[4 * v + 2] = x4.z; row[4 * v + 3] = x4.w;
    }
    for (var kx = 0u; kx < KW; kx++) {
      let s = S0 + i32(kx) * DW;
      let xv = vec4<f32>(row[s], row[s + SW], row[s + 2 * SW], row[s + 3 * SW]);
      var xw = vec4<f32>(0.0);
      if (TW == 8u) { xw = vec4<f32>(row[s + 4 * SW], row[s + 5 * SW], row[s + 6 * SW], row[s + 7 * SW]); }
      for (var t = 0; t < i32(TH); t++) {
        let d = r - t * SH;
        let ky = d / DH;
        if (d >= 0 && ky * DH == d && ky < i32(KH)) {
          let tap = u32(ky) * KW + kx;
          let wv = vec4(wk[tap]);
          acc[t] = fma(xv, wv, acc[t]);
          if (TW == 8u) { accB[t] = fma(xw, wv, accB[t]); }
        }
      }
    }
  }
  for (var t = 0; t < i32(TH); t++) {
    let oy = oy0 + t;
    if (oy >= i32(p.OH)) { break; }
    var v = acc[t];
    var vB = accB[t];
    if (p.hasBias == 1u) { v += bias[c]; vB += bias[c]; }
    let o = ((n * p.C + c) * p.OH + u32(oy)) * p.OW + u32(ox0);
    let nx = min(TW, p.OW - u32(ox0));
    for (var j = 0u; j < min(nx, 4u); j++) { dst[o + j] = v[j]; }
    for (var j = 4u; j < nx; j++) { dst[o + j] = vB[j - 4u]; }
  }
}

@compute @workgroup_size(WG)
fn grad_input(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>) {
  // Phase (ry, rx) of the destination pixels this workgroup covers, and the phase grid's size.
  let phase = wid.z % u32(SH * SW);
  let n = wid.z / u32(SH * SW);
  let ry = i32(phase) / SW;
  let rx = i32(phase) % SW;
  let qh = (i32(p.H) - ry + SH - 1) / SH;
  let qw = (i32(p.W) - rx + SW - 1) / SW;
  // A 4×8 tile of the phase per invocation: destination pixels (SH·(qy0 + t) + ry, SW·(qx0 + j) + rx).
  let qhBlocks = (qh + 3) / 4;
  let qwBlocks = (qw + 7) / 8;
  let perPlane = qhBlocks * qwBlocks;
  let i = i32(gid.x + wid.y * nwg.x * WG);
  if (qh <= 0 || qw <= 0 || i >= i32(p.C) * perPlane) { return; }
  let c = qdiv(u32(i), u32(perPlane));
  let r = u32(i) - c * u32(perPlane);
  let qyu = qdiv(r, u32(qwBlocks));
  let qy0 = i32(qyu) * 4;
  let qx0 = i32(r - qyu * u32(qwBlocks)) * 8;
  let OH = i32(p.OH);
  let OW = i32(p.OW);
  let base = (n * p.C + c) * p.OH * p.OW;
  let wBase = c * KH * KW;
  var wk: array<f32, 25>;   // the window's weights, loaded once (see forward4)
  for (var t = 0u; t < KH * KW; t++) { wk[t] = aux[wBase + t]; }
  // Tap ky feeds destination row SH·q + ry from dY row q + dk, dk = (ry + pt − ky·DH) / SH, when
  // that divides. dk falls as ky grows: the tile reads dY rows qy0 + dkLo … qy0 + 3 + dkHi, each once.
  var dkHi = -1000000;
  var dkLo = 1000000;
  for (var ky = 0; ky < i32(KH); ky++) {
    let ty = ry + p.pt - ky * DH;
    if (((ty % SH) + SH) % SH == 0) {
      dkHi = max(dkHi, ty / SH);
      dkLo = min(dkLo, ty / SH);
    }
  }
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var b0 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);
  let rows = 4 + dkHi - dkLo;
  for (var u = 0; u < rows; u++) {
    let oy = qy0 + dkLo + u;
    for (var kx = 0u; kx < KW; kx++) {
      let tx = rx + p.pl - i32(kx) * DW;
      if (((tx % SW) + SW) % SW != 0) { continue; }
      let ox = qx0 + tx / SW;
      let gv = vec4<f32>(load(base, oy, ox, OH, OW), load(base, oy, ox + 1, OH, OW),
                         load(base, oy, ox + 2, OH, OW), load(base, oy, ox + 3, OH, OW));
      let hv = vec4<f32>(load(base, oy, ox + 4, OH, OW), load(base, oy, ox + 5, OH, OW),
                         load(base, oy, ox + 6, OH, OW), load(base, oy, ox + 7, OH, OW));
      for (var ky = 0; ky < i32(KH); ky++) {
        let ty = ry + p.pt - ky * DH;
        if (((ty % SH) + SH) % SH != 0) { continue; }
        let t = u - (ty / SH - dkLo);  // the tile row this dY row feeds through ky
        let wv = vec4(wk[u32(ky) * KW + kx]);
        switch t {
          case 0: { a0 = fma(gv, wv, a0); b0 = fma(hv, wv, b0); }
          case 1: { a1 = fma(gv, wv, a1); b1 = fma(hv, wv, b1); }
          case 2: { a2 = fma(gv, wv, a2); b2 = fma(hv, wv, b2); }
          case 3: { a3 = fma(gv, wv, a3); b3 = fma(hv, wv, b3); }
          default: {}
        }
      }
    }
  }
  for (var t = 0; t < 4; t++) {
    let qy = qy0 + t;
    if (qy >= qh) { break; }
    var v = a0;
    var w = b0;
    if (t == 1) { v = a1; w = b1; }
    if (t == 2) { v = a2; w = b2; }
    if (t == 3) { v = a3; w = b3; }
    let o = ((n * p.C + c) * p.H + u32(SH * qy + ry)) * p.W;
    for (var j = 0; j < 4; j++) {
      let ix = SW * (qx0 + j) + rx;
      if (ix < i32(p.W)) { dst[o + u32(ix)] = v[j]; }
      let ix1 = SW * (qx0 + 4 + j) + rx;
      if (ix1 < i32(p.W)) { dst[o + u32(ix1)] = w[j]; }
    }
  }
}

@compute @workgroup_size(WG)
fn grad_weight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let c = gid.x;
  let l = wid.y;
  if (c >= p.C) { return; }
  let owBlocks = (p.OW + 3u) / 4u;
  let perImage = p.OH * owBlocks;
  let blocks = perImage * p.N;
  let H = i32(p.H);
  let W = i32(p.W);
  var acc: array<f32, 25>;
  for (var t = 0u; t < KH * KW; t++) { acc[t] = 0.0; }
  for (var b = l; b < blocks; b += p.splits) {
    let n = qdiv(b, perImage);
    let r = b - n * perImage;
    let oyu = qdiv(r, owBlocks);
    let oy = i32(oyu);
    let ox0 = i32(r - oyu * owBlocks) * 4;
    let gBase = ((n * p.C + c) * p.OH + u32(oy)) * p.OW;
    let nx = i32(p.OW) - ox0;
    let gv = vec4<f32>(aux[gBase + u32(ox0)],
                       select(0.0, aux[gBase + u32(min(ox0 + 1, i32(p.OW) - 1))], nx > 1),
                       select(0.0, aux[gBase + u32(min(ox0 + 2, i32(p.OW) - 1))], nx > 2),
                       select(0.0, aux[gBase + u32(min(ox0 + 3, i32(p.OW) - 1))], nx > 3));
    let base = (n * p.C + c) * p.H * p.W;
    for (var ky = 0u; ky < KH; ky++) {
      let iy = oy * SH - p.pt + i32(ky) * DH;
      for (var kx = 0u; kx < KW; kx++) {
        let ix = ox0 * SW - p.pl + i32(kx) * DW;
        let xv = vec4<f32>(load(base, iy, ix, H, W), load(base, iy, ix + SW, H, W),
                           load(base, iy, ix + 2 * SW, H, W), load(base, iy, ix + 3 * SW, H, W));
        acc[ky * KW + kx] += dot(gv, xv);
      }
    }
  }
  let o = (l * p.C + c) * KH * KW;
  for (var t = 0u; t < KH * KW; t++) { dst[o + t] = acc[t]; }
}

// grad_weight_ky: grad_weight with the window's rows spread over invocations: invocation (c, ky) sums
// the KW taps of kernel row ky only, so it keeps KW accumulators instead of KH·KW (25 for 5×5: more
// than the 16 vector registers a lane has on AVX2, spilled every block), reads one input row per
// block, and there are KH times as many invocations. Same partials layout; grid (ceil(C·KH/64), splits, 1).
@compute @workgroup_size(WG)
fn grad_weight_ky(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = gid.x;
  let l = wid.y;
  if (i >= p.C * KH) { return; }
  let c = i / KH;
  let ky = i - c * KH;
  let owBlocks = (p.OW + 3u) / 4u;
  let perImage = p.OH * owBlocks;
  let blocks = perImage * p.N;
  let H = i32(p.H);
  let W = i32(p.W);
  var acc: array<f32, 8>;
  for (var t = 0u; t < KW; t++) { acc[t] = 0.0; }
  for (var b = l; b < blocks; b += p.splits) {
    let n = qdiv(b, perImage);
    let r = b - n * perImage;
    let oyu = qdiv(r, owBlocks);
    let oy = i32(oyu);
    let ox0 = i32(r - oyu * owBlocks) * 4;
    let gBase = ((n * p.C + c) * p.OH + u32(oy)) * p.OW;
    let nx = i32(p.OW) - ox0;
    let gv = vec4<f32>(aux[gBase + u32(ox0)],
                       select(0.0, aux[gBase + u32(min(ox0 + 1, i32(p.OW) - 1))], nx > 1),
                       select(0.0, aux[gBase + u32(min(ox0 + 2, i32(p.OW) - 1))], nx > 2),
                       select(0.0, aux[gBase + u32(min(ox0 + 3, i32(p.OW) - 1))], nx > 3));
    let base = (n * p.C + c) * p.H * p.W;
    let iy = oy * SH - p.pt + i32(ky) * DH;
    for (var kx = 0u; kx < KW; kx++) {
      let ix = ox0 * SW - p.pl + i32(kx) * DW;
      let xv = vec4<f32>(load(base, iy, ix, H, W), load(base, iy, ix + SW, H, W),
                         load(base, iy, ix + 2 * SW, H, W), load(base, iy, ix + 3 * SW, H, W));
      acc[kx] += dot(gv, xv);
    }
  }
  let o = (l * p.C + c) * KH * KW + ky * KW;
  for (var t = 0u; t < KW; t++) { dst[o + t] = acc[t]; }
}
