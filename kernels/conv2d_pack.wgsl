// Packs conv weights [groups·CoF, CiF, kh, kw] (PyTorch OIHW) into the GEMM operand of conv2d.wgsl:
//   forward    (TRANSPOSED = false): wp[g, ci, tap, co] = w[g·CoF + co, ci, tap]   (co padded to rowPad)
//   grad-input (TRANSPOSED = true):  wp[g, co, tap, ci] = w[g·CoF + co, ci, tap]   (ci padded to rowPad)
// TAP_MAJOR swaps the two middle axes (wp[g, tap, ci, co]) for conv2d_vec4.wgsl, whose inner loop runs
// over channels at a fixed tap.
// FLIP (with TRANSPOSED) reverses the taps: the stride-1 grad-input then runs as a forward conv.
// Padding columns are zero, so the consumer reads whole aligned vec4s without bounds checks.
// One invocation per packed element, WG = 256, 1-D grid folded into y.
// Bench: npm run bench -- conv2d

override WG: u32 = 256;
override TRANSPOSED: bool = false;
override FLIP: bool = false;
override TAP_MAJOR: bool = false;

struct Params {
  n: u32,       // packed elements: groups · R · khw · rowPad
  R: u32,       // rows per group: CiF (forward) or CoF (transposed)
  cols: u32,    // real columns: CoF (forward) or CiF (transposed)
  rowPad: u32,
  khw: u32,
  CoF: u32,
  CiF: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> wp: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let col = i % p.rowPad;
  let rest = i / p.rowPad;
  var tap = rest % p.khw;
  var r = (rest / p.khw) % p.R;
  if (TAP_MAJOR) {
    r = rest % p.R;
    tap = (rest / p.R) % p.khw;
  }
  let g = rest / (p.khw * p.R);
  if (col >= p.cols) {
    wp[i] = 0.0;
    return;
  }
  var co = col;
  var ci = r;
  if (TRANSPOSED) { co = r; ci = col; }
  let t = select(tap, p.khw - 1u - tap, FLIP);
  wp[i] = w[((g * p.CoF + co) * p.CiF + ci) * p.khw + t];
}
