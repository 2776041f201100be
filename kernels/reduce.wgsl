// Reduction over the middle axis of a [outer, r, inner] view: out[o, c, i] = ⊕ x[o, j, i] for j in
// chunk c. One invocation per output; with several chunks the host runs a second pass over them,
// so a long axis with few outputs still spreads over many invocations. WG = 256.
// reduce_mid4: the same for inner % 4 == 0, four adjacent outputs per invocation with vec4 loads
// (a quarter of the invocations and index arithmetic: the batch sums of weight gradients, r = N,
// inner up to 400k, are this kernel's bulk).
// OP: 0 sum, 1 max, 2 min.
// Bench: npm run bench -- reduce

override WG: u32 = 256;
override OP: u32 = 0;

struct Params {
  outer: u32,
  r: u32,
  inner: u32,
  chunk: u32,
  nchunk: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn reduce_mid(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.outer * p.nchunk * p.inner) { return; }
  let ii = t % p.inner;
  let c = (t / p.inner) % p.nchunk;
  let oi = t / (p.inner * p.nchunk);
  let j0 = c * p.chunk;
  let j1 = min(p.r, j0 + p.chunk);
  var base = (oi * p.r + j0) * p.inner + ii;
  var acc = x[base];
  for (var j = j0 + 1u; j < j1; j = j + 1u) {
    base = base + p.inner;
    let v = x[base];
    switch OP {
      case 1u: { acc = max(acc, v); }
      case 2u: { acc = min(acc, v); }
      default: { acc = acc + v; }
    }
  }
  out[t] = acc;
}

@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn reduce_mid4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let inner4 = p.inner / 4u;
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.outer * p.nchunk * inner4) { return; }
  let ii = t % inner4;
  let c = (t / inner4) % p.nchunk;
  let oi = t / (inner4 * p.nchunk);
  let j0 = c * p.chunk;
  let j1 = min(p.r, j0 + p.chunk);
  var base = (oi * p.r + j0) * inner4 + ii;
  var acc = x4[base];
  for (var j = j0 + 1u; j < j1; j = j + 1u) {
    base = base + inner4;
    let v = x4[base];
    switch OP {
      case 1u: { acc = max(acc, v); }
      case 2u: { acc = min(acc, v); }
      default: { acc = acc + v; }
    }
  }
  out4[t] = acc;
}
