// SeeABLE's losses on embeddings z [N, D] with labels y [N] and fixed prototypes P [K, D]
// (method spec §S and §5.1). One invocation per anchor row i (N is a batch: tens to hundreds);
// the row kernels write the per-anchor loss and dL_i/d(logit) coefficients, and `bcr_grad`
// turns them into dz with one invocation per (i, d). WG = 64.
// Modes (override MODE):
//   0  spec §S:  L_i = 1/|P(i)| Σ_{p∈P(i)} −log softmax_{a≠i}(z_i·z_a/τ)_p
//                     + 1/|P(i)| · −log softmax_j(z_i·p_j/τ)_{y_i}      P(i) = {a ≠ i : y_a = y_i}
//   1  official code (§5.1): the self logit z_i·z_i is replaced by z_i·p_{y_i}; P(i) includes i;
//                     L_i = 1/|P(i)| Σ_{a∈P(i)} −log softmax_a(ℓ_i·)
// The dz step is kernels/contrastive_grad.wgsl.
// Outputs: loss[i]; gz[i·N + a] = ∂L_i/∂(z_i·z_a); gp[i·K + j] = ∂L_i/∂(z_i·p_j) (both already ×1/τ).
// Bench: npm run bench -- losses

override WG: u32 = 64;
override MODE: u32 = 0;

struct Params {
  N: u32,
  K: u32,
  D: u32,
  tau: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<u32>;
@group(0) @binding(3) var<storage, read> protos: array<f32>;
@group(0) @binding(4) var<storage, read> gtable: array<f32>; // guidance only
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;
@group(0) @binding(6) var<storage, read_write> gz: array<f32>;
@group(0) @binding(7) var<storage, read_write> gp: array<f32>;

fn dot_zz(i: u32, a: u32) -> f32 {
  var s = 0.0;
  for (var d = 0u; d < p.D; d = d + 1u) { s = s + z[i * p.D + d] * z[a * p.D + d]; }
  return s;
}

fn dot_zp(i: u32, j: u32) -> f32 {
  var s = 0.0;
  for (var d = 0u; d < p.D; d = d + 1u) { s = s + z[i * p.D + d] * protos[j * p.D + d]; }
  return s;
}

@compute @workgroup_size(WG)
fn bcr_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.N) { return; }
  let inv_tau = 1.0 / p.tau;
  let yi = y[i];
  var npos = 0u;
  for (var a = 0u; a < p.N; a = a + 1u) {
    if (a != i && y[a] == yi) { npos = npos + 1u; }
  }
  let self_logit = dot_zp(i, yi) * inv_tau;

  // Row max and log-sum-exp of the sample logits (mode 0: a ≠ i; mode 1: a = i is the prototype logit).
  var mx = -3.4e38;
  for (var a = 0u; a < p.N; a = a + 1u) {
    if (a == i) {
      if (MODE == 1u) { mx = max(mx, self_logit); }
    } else {
      mx = max(mx, dot_zz(i, a) * inv_tau);
    }
  }
  var se = 0.0;
  for (var a = 0u; a < p.N; a = a + 1u) {
    if (a == i) {
      if (MODE == 1u) { se = se + exp(self_logit - mx); }
    } else {
      se = se + exp(dot_zz(i, a) * inv_tau - mx);
    }
  }
  let lse = mx + log(se);

  var li = 0.0;
  for (var j = 0u; j < p.K; j = j + 1u) { gp[i * p.K + j] = 0.0; }
  if (MODE == 0u) {
    let w = select(0.0, 1.0 / f32(npos), npos > 0u);
    for (var a = 0u; a < p.N; a = a + 1u) {
      if (a == i) { gz[i * p.N + a] = 0.0; continue; }
      let l = dot_zz(i, a) * inv_tau;
      let pos = y[a] == yi;
      if (pos) { li = li + w * (lse - l); }
      gz[i * p.N + a] = (exp(l - lse) * select(0.0, 1.0, npos > 0u) - select(0.0, w, pos)) * inv_tau;
    }
    // Prototype regression: softmax over the K prototypes, weighted 1/|P(i)| as §S writes it.
    let wr = 1.0 / f32(max(npos, 1u));
    var pm = -3.4e38;
    for (var j = 0u; j < p.K; j = j + 1u) { pm = max(pm, dot_zp(i, j) * inv_tau); }
    var ps = 0.0;
    for (var j = 0u; j < p.K; j = j + 1u) { ps = ps + exp(dot_zp(i, j) * inv_tau - pm); }
    let plse = pm + log(ps);
    li = li + wr * (plse - self_logit);
    for (var j = 0u; j < p.K; j = j + 1u) {
      let q = exp(dot_zp(i, j) * inv_tau - plse);
      gp[i * p.K + j] = wr * (q - select(0.0, 1.0, j == yi)) * inv_tau;
    }
  } else {
    let w = 1.0 / f32(npos + 1u);
    for (var a = 0u; a < p.N; a = a + 1u) {
      let pos = y[a] == yi;
      if (a == i) {
        li = li + w * (lse - self_logit);
        gp[i * p.K + yi] = (exp(self_logit - lse) - w) * inv_tau;
        gz[i * p.N + a] = 0.0;
      } else {
        let l = dot_zz(i, a) * inv_tau;
        if (pos) { li = li + w * (lse - l); }
        gz[i * p.N + a] = (exp(l - lse) - select(0.0, w, pos)) * inv_tau;
      }
    }
  }
  loss[i] = li;
}

// Guidance (§S): L_i = G(ŷ_i, y_i) · (1 − z_i·p_{y_i}) with ŷ_i = argmax_j z_i·p_j (no gradient
// through the argmax) and G a K×K table built on the host from the location geometry.
// Writes loss[i] and gp[i·K + j] = ∂L_i/∂(z_i·p_j) (only j = y_i is non-zero); gz is zeroed.

@compute @workgroup_size(WG)
fn guidance_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.N) { return; }
  let yi = y[i];
  var best = 0u;
  var bestv = -3.4e38;
  for (var j = 0u; j < p.K; j = j + 1u) {
    let v = dot_zp(i, j);
    if (v > bestv) { bestv = v; best = j; }
  }
  let g = gtable[best * p.K + yi];
  loss[i] = g * (1.0 - dot_zp(i, yi));
  for (var j = 0u; j < p.K; j = j + 1u) { gp[i * p.K + j] = select(0.0, -g, j == yi); }
  for (var a = 0u; a < p.N; a = a + 1u) { gz[i * p.N + a] = 0.0; }
}
