// conv2d forward as an implicit GEMM on a zero-padded, vec4-aligned copy of the input, NCHW
// (docs/layout.md). Why: on lavapipe a load whose address differs per invocation is gathered lane by
// lane, and every lane-varying integer op is split in two (no AVX2): the generic kernel (conv2d.wgsl)
// spends its time on per-pixel bounds checks and scalar gathers. Here the input is first copied by
// `pad` into xp[n, c, Hp, Wp] (explicit zero border, Wp a multiple of 4), so the main loop has no
// bounds checks and reads whole aligned vec4s: for 4 output pixels along W and one tap, the inputs
// are 4 consecutive (stride 1) or every-other (stride 2) elements starting at a misalignment
// m = (kx·dw) mod 4 that is uniform across the workgroup, so they are rebuilt from 2–3 aligned vec4
// loads by a uniform switch.
// Register block: 4 output pixels along W × 8 output channels (eight vec4 accumulators); weights
// packed by conv2d_pack.wgsl (vec4 over output channels, uniform across the workgroup).
// Also serves the stride-1 grad-input (a forward conv of dY with flipped, transposed weights).
// WG 64 along output pixel blocks; grid (ceil(OH·ceil(OW/4)/64), groups·ceil(Co/8), N). SW ∈ {1, 2}.
// Bench: npm run bench -- conv2d

override WG: u32 = 64;
override SW: u32 = 1;

struct PadParams {
  total: u32,   // N·C·Hp·Wp
  H: u32,
  W: u32,
  Hp: u32,
  Wp: u32,
  pt: i32,
  pl: i32,
}

@group(0) @binding(0) var<uniform> pp: PadParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> xpad: array<f32>;

// xp[n, c, y, x] = x[n, c, y − pt, x − pl], zero outside. One invocation per padded element, WG 256.
@compute @workgroup_size(256)
fn pad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= pp.total) { return; }
  let xx = i32(i % pp.Wp) - pp.pl;
  let yy = i32((i / pp.Wp) % pp.Hp) - pp.pt;
  let plane = i / (pp.Wp * pp.Hp);
  let ok = xx >= 0 && xx < i32(pp.W) && yy >= 0 && yy < i32(pp.H);
  let src = plane * pp.H * pp.W + u32(select(0, yy * i32(pp.W) + xx, ok));
  xpad[i] = select(0.0, x[src], ok);
}

struct Params {
  Ci: u32,      // source channels per group
  Co: u32,      // output channels per group
  groups: u32,
  Hp: u32,      // padded source size (Wp a multiple of 4)
  Wp: u32,
  OH: u32,
  OW: u32,
  kh: u32,
  kw: u32,
  sh: u32,
  dh: u32,
  dw: u32,
  coBlocks: u32,
  hasBias: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xp: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> wp: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// Elements e, e+SW, e+2·SW, e+3·SW where e = 4·i + m, from the aligned vec4s at i, i+1, i+2.
fn window(i: u32, m: u32) -> vec4<f32> {
  if (SW == 1u) {
    switch m {
      case 0u: { return xp[i]; }
      case 1u: { let a = xp[i]; let b = xp[i + 1u]; return vec4<f32>(a.yzw, b.x); }
      case 2u: { let a = xp[i]; let b = xp[i + 1u]; return vec4<f32>(a.zw, b.xy); }
      default: { let a = xp[i]; let b = xp[i + 1u]; return vec4<f32>(a.w, b.xyz); }
    }
  }
  switch m {
    case 0u: { let a = xp[i]; let b = xp[i + 1u]; return vec4<f32>(a.xz, b.xz); }
    case 1u: { let a = xp[i]; let b = xp[i + 1u]; return vec4<f32>(a.yw, b.yw); }
    case 2u: { let a = xp[i]; let b = xp[i + 1u]; let c = xp[i + 2u]; return vec4<f32>(a.z, b.xz, c.x); }
    default: { let a = xp[i]; let b = xp[i + 1u]; let c = xp[i + 2u]; return vec4<f32>(a.w, b.yw, c.y); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let owBlocks = (p.OW + 3u) / 4u;
  if (gid.x >= p.OH * owBlocks) { return; }
  let oy = gid.x / owBlocks;
  let ox0 = (gid.x % owBlocks) * 4u;
  let g = wid.y / p.coBlocks;
  let co0 = (wid.y % p.coBlocks) * 8u;
  let n = gid.z;
  let khw = p.kh * p.kw;
  let wRow = p.coBlocks * 2u;
  let Wp4 = p.Wp / 4u;
  let plane4 = p.Hp * Wp4;

  var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);

  // The only lane-varying address: the top-left of this block's window, in vec4 units.
  var base = (n * p.groups + g) * p.Ci * plane4 + oy * p.sh * Wp4 + ox0 * SW / 4u;
  var wi = (g * p.Ci * khw) * wRow + co0 / 4u;
  for (var ci = 0u; ci < p.Ci; ci++) {
    var row = base;
    for (var ky = 0u; ky < p.kh; ky++) {
      for (var kx = 0u; kx < p.kw; kx++) {
        let off = kx * p.dw;
        let xv = window(row + off / 4u, off % 4u);
        let wa = wp[wi];
        let wb = wp[wi + 1u];
        a0 += xv.x * wa; b0 += xv.x * wb;
        a1 += xv.y * wa; b1 += xv.y * wb;
        a2 += xv.z * wa; b2 += xv.z * wb;
        a3 += xv.w * wa; b3 += xv.w * wb;
        wi += wRow;
      }
      row += p.dh * Wp4;
    }
    base += plane4;
  }

  let outPlane = p.OH * p.OW;
  let rowOut = (n * p.groups * p.Co + g * p.Co) * outPlane + oy * p.OW + ox0;
  let nx = min(4u, p.OW - ox0);
  for (var c = 0u; c < 8u; c++) {
    let co = co0 + c;
    if (co >= p.Co) { break; }
    let k = c % 4u;
    let lo = c < 4u;
    var v = vec4<f32>(select(b0[k], a0[k], lo), select(b1[k], a1[k], lo), select(b2[k], a2[k], lo), select(b3[k], a3[k], lo));
    if (p.hasBias == 1u) { v += bias[g * p.Co + co]; }
    let o = rowOut + co * outPlane;
    for (var j = 0u; j < nx; j++) { dst[o + j] = v[j]; }
  }
}
