// Depthwise conv2d grad-input for strides ≤ 2 per axis, NCHW, weights [C, 1, KH, KW]: the transposed
// conv as a gather. An invocation computes a TH-row × 4·SW-column tile of dX whose corner (y0, x0) is a
// multiple of (SH, SW), so every tile pixel's phase — which taps reach it, and from which dY row and
// column — is a compile-time fact of its place in the tile (the pads are overrides too): the tap loops
// unroll into straight FMAs with no parity tests at run time. Columns of one phase s (x0 + SW·m + s,
// m = 0…3) share their taps and read dY columns ox0 + m + c, consecutive: one vec4 accumulator per
// (tile row, phase), eight in all (TH 4 × SW 2). Each dY row of the tile's window is read once into a
// register row (aligned vec4s where OW % 4 == 0, ALIGNED) and feeds every (tile row, tap) it reaches.
// Replaces the phase-per-workgroup kernel (depthwise.wgsl grad_input, kept for strides over 2) for
// stride 2, where that one ran 2.7–4.4× the forward's time. WG 64; grid (x, y) folds
// C·ceil(H/TH)·ceil(W/(4·SW)) invocations, z = N.
// Bench: npm run bench -- conv2d

override WG: u32 = 64;
override KH: i32 = 3;
override KW: i32 = 3;
override SH: i32 = 2;
override SW: i32 = 2;
override DH: i32 = 1;
override DW: i32 = 1;
override PT: i32 = 0;   // the forward's top and left padding
override PL: i32 = 0;
override TH: i32 = 4;   // tile rows: a multiple of SH, TH·SW ≤ 8

struct Params {
  C: u32,
  H: u32,       // the forward's input size (dX's)
  W: u32,
  OH: u32,      // the forward's output size (dY's)
  OW: u32,
  pt: i32,
  pl: i32,
  hasBias: u32,
  splits: u32,
  N: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> unused: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> dy4: array<vec4<f32>>;

// a / b without an integer division (emulated lane by lane on CPU adapters): exact while a + b < 2^23.
fn qdiv(a: u32, b: u32) -> u32 { return u32((f32(a) + 0.5) / f32(b)); }
// floor(a / b) for the small constants below (a > −4096·b).
fn fdiv(a: i32, b: i32) -> i32 { return (a + 4096 * b) / b - 4096; }

const ROWMAX = 24;

// The tile of invocation i, its channel's weights, and the window's row and column spans (all but the
// tile's place are constants): dY rows oy0 + rLo … oy0 + rHi reach the tile (tap ky takes dest row
// y0 + t from dY row oy0 + r where r·SH = t + PT − ky·DH); phase s, tap kx reads dY columns
// ox0 + m + (s + PL − kx·DW) / SW, within ox0 + cLo … ox0 + cHi.
struct Tile { ok: bool, c: u32, n: u32, y0: i32, ox0: i32, base: i32 }
fn rLo() -> i32 { return fdiv(PT - (KH - 1) * DH, SH); }
fn rHi() -> i32 { return fdiv(TH - 1 + PT, SH); }
fn cLo() -> i32 { return fdiv(PL - (KW - 1) * DW, SW); }
fn cHi() -> i32 { return fdiv(SW - 1 + PL, SW) + 3; }

fn tileOf(gid: vec3<u32>, wid: vec3<u32>, nwg: vec3<u32>) -> Tile {
  let TW = 4u * u32(SW);
  let owBlocks = (p.W + TW - 1u) / TW;
  let perPlane = ((p.H + u32(TH) - 1u) / u32(TH)) * owBlocks;
  let i = gid.x + wid.y * nwg.x * WG;
  let c = qdiv(i, perPlane);
  let r0 = i - c * perPlane;
  let by = qdiv(r0, owBlocks);
  let n = wid.z;
  return Tile(i < p.C * perPlane, c, n, i32(by) * TH, i32(r0 - by * owBlocks) * 4, i32((n * p.C + c) * p.OH * p.OW));
}

fn weights(c: u32) -> array<f32, 25> {
  var wk: array<f32, 25>;
  for (var t = 0; t < KH * KW; t++) { wk[t] = wt[i32(c) * KH * KW + t]; }
  return wk;
}

// Every (tile row, tap) that dY row oy0 + r reaches; row[k] holds dY column ox0 + rowAt + k.
fn accumulate(r: i32, rowAt: i32, row: ptr<function, array<f32, ROWMAX>>, wk: ptr<function, array<f32, 25>>,
              acc: ptr<function, array<vec4<f32>, 8>>) {
  for (var t = 0; t < TH; t++) {
    let d = t + PT - r * SH;                  // = ky·DH when this row reaches tile row t
    let ky = d / DH;
    if (d < 0 || ky * DH != d || ky >= KH) { continue; }
    for (var s = 0; s < SW; s++) {
      for (var kx = 0; kx < KW; kx++) {
        let e = s + PL - kx * DW;
        if (((e % SW) + SW) % SW != 0) { continue; }
        let o = fdiv(e, SW) - rowAt;
        let xv = vec4<f32>((*row)[o], (*row)[o + 1], (*row)[o + 2], (*row)[o + 3]);
        (*acc)[t * SW + s] = fma(xv, vec4((*wk)[ky * KW + kx]), (*acc)[t * SW + s]);
      }
    }
  }
}

fn store(tl: Tile, acc: ptr<function, array<vec4<f32>, 8>>) {
  let x0 = tl.ox0 * SW;
  for (var t = 0; t < TH; t++) {
    let y = tl.y0 + t;
    if (y >= i32(p.H)) { break; }
    let o = ((tl.n * p.C + tl.c) * p.H + u32(y)) * p.W;
    for (var s = 0; s < SW; s++) {
      let v = (*acc)[t * SW + s];
      for (var m = 0; m < 4; m++) {
        let x = x0 + SW * m + s;
        if (x < i32(p.W)) { dst[o + u32(x)] = v[m]; }
      }
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let tl = tileOf(gid, wid, nwg);
  if (!tl.ok) { return; }
  var wk = weights(tl.c);
  var acc: array<vec4<f32>, 8>;
  for (var a = 0; a < 8; a++) { acc[a] = vec4<f32>(0.0); }
  var row: array<f32, ROWMAX>;
  let OH = i32(p.OH);
  let OW = i32(p.OW);
  for (var r = rLo(); r <= rHi(); r++) {
    let oy = tl.y0 / SH + r;
    let rowOk = oy >= 0 && oy < OH;
    for (var k = 0; k <= cHi() - cLo(); k++) {
      let ox = tl.ox0 + cLo() + k;
      let ok = rowOk && ox >= 0 && ox < OW;
      row[k] = select(0.0, dy[u32(select(0, tl.base + oy * OW + ox, ok))], ok);
    }
    accumulate(r, cLo(), &row, &wk, &acc);
  }
  store(tl, &acc);
}

// main with dY rows read as aligned vec4s (OW % 4 == 0; ox0 is a multiple of 4): a vec4 lies wholly
// inside the row or wholly in the padding, one bounds check per vec4.
@compute @workgroup_size(WG)
fn main4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
         @builtin(num_workgroups) nwg: vec3<u32>) {
  let tl = tileOf(gid, wid, nwg);
  if (!tl.ok) { return; }
  var wk = weights(tl.c);
  var acc: array<vec4<f32>, 8>;
  for (var a = 0; a < 8; a++) { acc[a] = vec4<f32>(0.0); }
  var row: array<f32, ROWMAX>;
  let OH = i32(p.OH);
  let W4 = i32(p.OW / 4u);
  let v0 = fdiv(cLo(), 4);
  for (var r = rLo(); r <= rHi(); r++) {
    let oy = tl.y0 / SH + r;
    let rowOk = oy >= 0 && oy < OH;
    for (var v = v0; v <= fdiv(cHi(), 4); v++) {
      let q = tl.ox0 / 4 + v;
      let ok = rowOk && q >= 0 && q < W4;
      let x4 = select(vec4<f32>(0.0), dy4[u32(select(0, tl.base / 4 + oy * W4 + q, ok))], ok);
      let k = 4 * (v - v0);
      row[k] = x4.x; row[k + 1] = x4.y; row[k + 2] = x4.z; row[k + 3] = x4.w;
    }
    accumulate(r, 4 * v0, &row, &wk, &acc);
  }
  store(tl, &acc);
}
