// Dropout and drop-connect (stochastic depth), seeded, with a counter-based hash PRNG: the random
// word of element (or sample) k is mix(mix(k + key0) ^ key1), mix = lowbias32 (a bijective
// xorshift-multiply finaliser). Nothing is stored: the backward calls the same kernel on the
// gradient with the same keys and so applies exactly the forward's mask.
//   dropout  one invocation per element: out[i] = keep ? in[i]·scale : 0, keep = word ≥ threshold
//            (threshold = p·2³², so P(keep) = 1 − p); scale = 1/(1 − p).
//            MODE 0: counter k = i (elementwise dropout); MODE 1: k = i / per_sample (drop-connect:
//            a whole sample of the batch is kept or dropped).
// Layout: flat; WG = 256, 1-D grid folded into y.
// Bench: npm run bench -- cnn-ops

override WG: u32 = 256;
override MODE: u32 = 0;

struct Params {
  n: u32,
  per_sample: u32,
  key0: u32,
  key1: u32,
  threshold: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn mix(v: u32) -> u32 {
  var h = v;
  h = h ^ (h >> 16u);
  h = h * 0x7feb352du;
  h = h ^ (h >> 15u);
  h = h * 0x846ca68bu;
  h = h ^ (h >> 16u);
  return h;
}

@compute @workgroup_size(WG)
fn dropout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  var k = i;
  if (MODE == 1u) { k = i / p.per_sample; }
  let word = mix(mix(k + p.key0) ^ p.key1);
  out[i] = select(0.0, x[i] * p.scale, word >= p.threshold);
}
