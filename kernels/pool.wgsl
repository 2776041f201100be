// Pooling over NCHW planes (PyTorch semantics), forward and backward, no atomics.
//   global_avg       one workgroup (WG = 64 lanes) per (n, c) plane: lane-strided sum over H·W,
//                    workgroup tree reduction, out[plane] = sum / (H·W).
//   global_avg_rows  CPU adapters (no barrier): one invocation per (plane, chunk) sums its chunk,
//                    scaled by rp.scale (= 1/(H·W)); _rows4 reads vec4s (H·W and chunk multiples of
//                    4). With nchunk > 1 the host sums the [planes, nchunk] partials (reduce.ts).
//   global_avg_grad  gx[i] = g[plane(i)] / (H·W), one invocation per element.
//   avg_pool         one invocation per output: window mean; padding pt/pb/pl/pr may be
//                    asymmetric (TF SAME). Divisor = window clipped to the padded extent
//                    (count_include_pad = 1) or to the input (0), as PyTorch's avg_pool2d.
//   avg_pool_grad    gather form: one invocation per input pixel loops over the outputs whose
//                    window covers it and adds g / divisor (no scatter, no atomics).
//   max_pool         one invocation per output: max over the in-bounds taps (padding is skipped),
//                    first maximum wins, a NaN tap wins (PyTorch); also writes the argmax (flat
//                    index in the plane, −1 if none).
//   max_pool_grad    gather form: each input pixel adds g of the covering outputs whose argmax is it.
// Layout: x [N·C planes, H, W], out [N·C, OH, OW]; 1-D grids fold into y (flat = gid.x + gid.y·nwg.x·WG).
// Bench: npm run bench -- cnn-ops

override WG: u32 = 64;

struct Params {
  planes: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dw: i32,
  pt: i32,
  pl: i32,
  pb: i32,
  pr: i32,
  include_pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(WG)
fn global_avg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let plane = wid.x + wid.y * nwg.x;
  let hw = p.H * p.W;
  var acc = 0.0;
  if (plane < p.planes) {
    let base = plane * hw;
    for (var j = lid; j < hw; j = j + WG) { acc = acc + x[base + j]; }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u && plane < p.planes) { out[plane] = red[0] / f32(hw); }
}

// ---- global_avg_rows / global_avg_rows4: x [rows, len] → out [rows, nchunk] ----
struct RowParams {
  rows: u32,
  len: u32,
  chunk: u32,
  nchunk: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> rp: RowParams;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;

// The (row, chunk) of flat thread t: [j0, j1) in x's flat index space; false past the end.
struct Span { ok: bool, j0: u32, j1: u32 }

fn row_span(gid: vec3<u32>, nwg: vec3<u32>) -> Span {
  let t = flat(gid, nwg);
  if (t >= rp.rows * rp.nchunk) { return Span(false, 0u, 0u); }
  let row = t / rp.nchunk;
  let k0 = (t - row * rp.nchunk) * rp.chunk;
  let base = row * rp.len;
  return Span(true, base + k0, base + min(rp.len, k0 + rp.chunk));
}

@compute @workgroup_size(WG)
fn global_avg_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let sp = row_span(gid, nwg);
  if (!sp.ok) { return; }
  var acc = 0.0;
  for (var j = sp.j0; j < sp.j1; j = j + 1u) { acc = acc + x[j]; }
  out[flat(gid, nwg)] = acc * rp.scale;
}

@compute @workgroup_size(WG)
fn global_avg_rows4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let sp = row_span(gid, nwg);
  if (!sp.ok) { return; }
  var acc = vec4<f32>(0.0);
  for (var j = sp.j0 / 4u; j < sp.j1 / 4u; j = j + 1u) { acc = acc + x4[j]; }
  out[flat(gid, nwg)] = (acc.x + acc.y + acc.z + acc.w) * rp.scale;
}

@compute @workgroup_size(WG)
fn global_avg_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  let hw = p.H * p.W;
  if (i >= p.planes * hw) { return; }
  out[i] = x[i / hw] / f32(hw);
}

// Window of output (oh, ow): rows [h0, h1), cols [w0, w1) clipped to the input, and its divisor.
struct Window { h0: i32, h1: i32, w0: i32, w1: i32, div: f32 }

fn avg_window(oh: i32, ow: i32) -> Window {
  let H = i32(p.H);
  let W = i32(p.W);
  var h0 = oh * p.sh - p.pt;
  var w0 = ow * p.sw - p.pl;
  var h1 = min(h0 + p.kh, H + p.pb);
  var w1 = min(w0 + p.kw, W + p.pr);
  let padded = f32((h1 - h0) * (w1 - w0));
  h0 = max(h0, 0);
  w0 = max(w0, 0);
  h1 = min(h1, H);
  w1 = min(w1, W);
  let inside = f32(max(h1 - h0, 0) * max(w1 - w0, 0));
  return Window(h0, h1, w0, w1, select(inside, padded, p.include_pad == 1u));
}

@compute @workgroup_size(WG)
fn avg_pool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.OH * p.OW) { return; }
  let ow = i32(i % p.OW);
  let oh = i32((i / p.OW) % p.OH);
  let base = (i / (p.OW * p.OH)) * p.H * p.W;
  let win = avg_window(oh, ow);
  var acc = 0.0;
  for (var h = win.h0; h < win.h1; h = h + 1) {
    let row = base + u32(h) * p.W;
    for (var w = win.w0; w < win.w1; w = w + 1) { acc = acc + x[row + u32(w)]; }
  }
  // An empty window (only possible with ceil_mode) gives 0, as in PyTorch.
  out[i] = select(acc / win.div, 0.0, win.h0 >= win.h1 || win.w0 >= win.w1);
}

// Outputs whose window (kernel k, stride s, dilation d, leading pad `before`) can cover input v:
// [lo, hi] clipped to [0, n).
fn covering(v: i32, k: i32, s: i32, d: i32, before: i32, n: u32) -> vec2<i32> {
  let reach = v + before - (k - 1) * d;
  let lo = select((reach + s - 1) / s, 0, reach <= 0);
  let hi = min((v + before) / s, i32(n) - 1);
  return vec2<i32>(lo, hi);
}

@compute @workgroup_size(WG)
fn avg_pool_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.H * p.W) { return; }
  let iw = i32(i % p.W);
  let ih = i32((i / p.W) % p.H);
  let base = (i / (p.W * p.H)) * p.OH * p.OW;
  let rh = covering(ih, p.kh, p.sh, 1, p.pt, p.OH);
  let rw = covering(iw, p.kw, p.sw, 1, p.pl, p.OW);
  var acc = 0.0;
  for (var oh = rh.x; oh <= rh.y; oh = oh + 1) {
    for (var ow = rw.x; ow <= rw.y; ow = ow + 1) {
      let win = avg_window(oh, ow);
      acc = acc + x[base + u32(oh) * p.OW + u32(ow)] / win.div;
    }
  }
  out[i] = acc;
}

@group(0) @binding(3) var<storage, read_write> arg: array<i32>;

@compute @workgroup_size(WG)
fn max_pool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.OH * p.OW) { return; }
  let ow = i32(i % p.OW);
  let oh = i32((i / p.OW) % p.OH);
  let base = (i / (p.OW * p.OH)) * p.H * p.W;
  let h0 = oh * p.sh - p.pt;
  let w0 = ow * p.sw - p.pl;
  var best = 0.0; // replaced by the first in-bounds tap (at < 0 until then)
  var at = -1;
  for (var a = 0; a < p.kh; a = a + 1) {
    let h = h0 + a * p.dh;
    if (h < 0 || h >= i32(p.H)) { continue; }
    for (var b = 0; b < p.kw; b = b + 1) {
      let w = w0 + b * p.dw;
      if (w < 0 || w >= i32(p.W)) { continue; }
      let v = x[base + u32(h * i32(p.W) + w)];
      if (at < 0 || v > best || (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { // NaN wins, as in PyTorch (bit test: v != v may be folded away)
        best = v;
        at = h * i32(p.W) + w;
      }
    }
  }
  out[i] = best;
  arg[i] = at;
}

@group(0) @binding(2) var<storage, read> arg_in: array<i32>;
@group(0) @binding(3) var<storage, read_write> gx: array<f32>;

@compute @workgroup_size(WG)
fn max_pool_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.H * p.W) { return; }
  let iw = i32(i % p.W);
  let ih = i32((i / p.W) % p.H);
  let self_at = ih * i32(p.W) + iw;
  let base = (i / (p.W * p.H)) * p.OH * p.OW;
  let rh = covering(ih, p.kh, p.sh, p.dh, p.pt, p.OH);
  let rw = covering(iw, p.kw, p.sw, p.dw, p.pl, p.OW);
  var acc = 0.0;
  for (var oh = rh.x; oh <= rh.y; oh = oh + 1) {
    for (var ow = rw.x; ow <= rw.y; ow = ow + 1) {
      let o = base + u32(oh) * p.OW + u32(ow);
      if (arg_in[o] == self_at) { acc = acc + x[o]; }
    }
  }
  gx[i] = acc;
}
