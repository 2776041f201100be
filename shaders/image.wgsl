// Image display (render shader): one triangle that covers the target, sampling the photo's
// rgba8unorm texture with a bilinear sampler; the target's pixels map onto the whole image
// (the demo sizes its canvas to the image's aspect ratio). Used by src/web/overlay.ts.
// Test: node --import tsx --test test/web/demo-render.test.ts

struct VsOut {
  @builtin(position) pos: vec4f,
  @location(0) uv: vec2f,
}

@group(0) @binding(0) var photo: texture_2d<f32>;
@group(0) @binding(1) var photoSampler: sampler;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> VsOut {
  // (-1,-1), (3,-1), (-1,3): a triangle whose visible part is the whole clip square.
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u)) * 2.0 - 1.0;
  var o: VsOut;
  o.pos = vec4f(xy, 0.0, 1.0);
  o.uv = vec2f(xy.x * 0.5 + 0.5, 0.5 - xy.y * 0.5);
  return o;
}

@fragment
fn fs(v: VsOut) -> @location(0) vec4f {
  return vec4f(textureSample(photo, photoSampler, v.uv).rgb, 1.0);
}
