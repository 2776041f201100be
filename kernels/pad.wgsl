// Spatial padding of NCHW planes with explicit per-side amounts (e.g. TF SAME's asymmetric pad).
//   pad           one invocation per output: MODE 0 constant (`value` outside), MODE 1 reflect
//                 (PyTorch 'reflect': the edge is not repeated, i → −i, H−1+i → H−1−i).
//   pad_grad      gather form, one invocation per input pixel. Constant: the gradient is the crop.
//                 Reflect: an input pixel is read by at most 3 output rows × 3 output columns
//                 (itself, its mirror past the top/left edge, its mirror past the bottom/right edge),
//                 so each input sums at most 9 terms; no atomics.
// Layout: x [planes, H, W] → out [planes, OH = pt + H + pb, OW = pl + W + pr]. WG = 64,
// 1-D grid folded into y.
// Bench: npm run bench -- cnn-ops

override WG: u32 = 64;
override MODE: u32 = 0;

struct Params {
  planes: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  pt: i32,
  pl: i32,
  value: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn reflect_index(i: i32, n: i32) -> i32 {
  if (i < 0) { return -i; }
  if (i >= n) { return 2 * (n - 1) - i; }
  return i;
}

@compute @workgroup_size(WG)
fn pad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.OH * p.OW) { return; }
  let ow = i32(i % p.OW);
  let oh = i32((i / p.OW) % p.OH);
  let base = (i / (p.OW * p.OH)) * p.H * p.W;
  let H = i32(p.H);
  let W = i32(p.W);
  var ih = oh - p.pt;
  var iw = ow - p.pl;
  if (MODE == 1u) {
    ih = reflect_index(ih, H);
    iw = reflect_index(iw, W);
  } else if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
    out[i] = p.value;
    return;
  }
  out[i] = x[base + u32(ih * W + iw)];
}

// The (up to 3) output coordinates that read input coordinate v along one axis; −1 marks none.
fn sources(v: i32, n: i32, before: i32, outN: i32) -> vec3<i32> {
  let direct = v + before;
  let mirror_lo = select(-1, before - v, v >= 1 && before - v >= 0);
  let hi = before + 2 * (n - 1) - v;
  let mirror_hi = select(-1, hi, v <= n - 2 && hi < outN);
  return vec3<i32>(direct, mirror_lo, mirror_hi);
}

@compute @workgroup_size(WG)
fn pad_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.planes * p.H * p.W) { return; }
  let iw = i32(i % p.W);
  let ih = i32((i / p.W) % p.H);
  let base = (i / (p.W * p.H)) * p.OH * p.OW;
  let OW = i32(p.OW);
  if (MODE == 0u) {
    out[i] = x[base + u32((ih + p.pt) * OW + iw + p.pl)];
    return;
  }
  let rows = sources(ih, i32(p.H), p.pt, i32(p.OH));
  let cols = sources(iw, i32(p.W), p.pl, OW);
  var acc = 0.0;
  for (var a = 0; a < 3; a = a + 1) {
    let r = rows[a];
    if (r < 0) { continue; }
    for (var b = 0; b < 3; b = b + 1) {
      let c = cols[b];
      if (c < 0) { continue; }
      acc = acc + x[base + u32(r * OW + c)];
    }
  }
  out[i] = acc;
}
