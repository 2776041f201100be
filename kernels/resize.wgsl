// Bilinear resize of NCHW planes, PyTorch's F.interpolate(mode='bilinear') with a target size.
//   Source coordinate of output o: align_corners ? o·s : max((o + 0.5)·s − 0.5, 0), with
//   s = (in − 1)/(out − 1) (0 when out = 1) or in/out; taps i0 = floor(src), i0 + 1 (clamped),
//   weights 1 − λ and λ (λ = src − i0). Separable: the 2-D weight is the product of the axes'.
//   resize_bilinear       one invocation per output, 4 taps.
//   resize_bilinear_grad  gather form, one invocation per input pixel: loops over the output rows
//                         and columns whose taps can reach it (a range from the inverse map,
//                         widened by one each side; the exact weight decides) — no atomics.
// Layout: x [planes, H, W] → out [planes, OH, OW]. WG = 64, 1-D grid folded into y.
// Bench: npm run bench -- cnn-ops

override WG: u32 = 64;

struct Params {
  planes: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  scale_h: f32,
  scale_w: f32,
  align: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// (first tap, second tap, λ) of output o along an axis of n inputs.
struct Taps { i0: i32, i1: i32, lambda: f32 }

fn taps(o: i32, scale: f32, n: u32) -> Taps {
  var src: f32;
  if (p.align == 1u) {
    src = scale * f32(o);
  } else {
    src = max(scale * (f32(o) + 0.5) - 0.5, 0.0);
  }
  let i0 = min(i32(src), i32(n) - 1);
  let i1 = min(i0 + 1, i32(n) - 1);
  return Taps(i0, i1, src - f32(i0));
}

@compute @workgroup_size(WG)
fn resize_bilinear(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.OH * p.OW) { return; }
  let ow = i32(i % p.OW);
  let oh = i32((i / p.OW) % p.OH);
  let base = (i / (p.OW * p.OH)) * p.H * p.W;
  let th = taps(oh, p.scale_h, p.H);
  let tw = taps(ow, p.scale_w, p.W);
  let W = i32(p.W);
  let r0 = base + u32(th.i0 * W);
  let r1 = base + u32(th.i1 * W);
  let top = (1.0 - tw.lambda) * x[r0 + u32(tw.i0)] + tw.lambda * x[r0 + u32(tw.i1)];
  let bottom = (1.0 - tw.lambda) * x[r1 + u32(tw.i0)] + tw.lambda * x[r1 + u32(tw.i1)];
  out[i] = (1.0 - th.lambda) * top + th.lambda * bottom;
}

// Weight of input v in output o's interpolation along one axis.
fn weight(t: Taps, v: i32) -> f32 {
  return select(0.0, 1.0 - t.lambda, t.i0 == v) + select(0.0, t.lambda, t.i1 == v);
}

// Outputs that may read input v: src(o) ∈ [v − 1, v + 1), inverted and widened by one.
fn reach(v: i32, scale: f32, outN: u32) -> vec2<i32> {
  if (scale <= 0.0) { return vec2<i32>(0, i32(outN) - 1); }
  let off = select(0.5, 0.0, p.align == 1u);
  let lo = i32(floor((f32(v) - 1.0 + off) / scale - off)) - 1;
  let hi = i32(ceil((f32(v) + 1.0 + off) / scale - off)) + 1;
  return vec2<i32>(max(lo, 0), min(hi, i32(outN) - 1));
}

@compute @workgroup_size(WG)
fn resize_bilinear_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.H * p.W) { return; }
  let iw = i32(i % p.W);
  let ih = i32((i / p.W) % p.H);
  let base = (i / (p.W * p.H)) * p.OH * p.OW;
  let rh = reach(ih, p.scale_h, p.OH);
  let rw = reach(iw, p.scale_w, p.OW);
  var acc = 0.0;
  for (var oh = rh.x; oh <= rh.y; oh = oh + 1) {
    let wh = weight(taps(oh, p.scale_h, p.H), ih);
    if (wh == 0.0) { continue; }
    var row = 0.0;
    for (var ow = rw.x; ow <= rw.y; ow = ow + 1) {
      row = row + weight(taps(ow, p.scale_w, p.W), iw) * x[base + u32(oh) * p.OW + u32(ow)];
    }
    acc = acc + wh * row;
  }
  out[i] = acc;
}
