// Face overlay (render shader): for one scored face, over the photo already drawn in the pass,
//   - the heat map of the per-location anomaly: the R×C grid over the landmark box (cells as
//     src/seeable/locations.ts gridCellIndex: x0 = floor(xmin), dx = max(1, ceil(w / C)), last
//     row/column extended), clipped to the convex hull of the 68 points, coloured on a diverging
//     ramp centred on the calibrated threshold (blue = real-looking, red = anomalous);
//   - the 68 landmarks as dots; the detection box as an outline (red above the threshold).
// One quad per face (6 vertices, no vertex buffer) covering the box and the landmark box plus a
// margin; the fragment stage decides per pixel, alpha-blended (src-alpha, one-minus-src-alpha).
// Coordinates: image pixels with pixel i's centre at i (the landmarks' frame); the target has
// `scale` target pixels per image pixel. Layout: uniform Face, storage arrays of cell values
// (R·C f32), hull vertices (vec2f, src/seeable/raster.ts convexHull order) and landmarks (68 vec2f).
// Test: node --import tsx --test test/web/demo-render.test.ts (vs a float64 CPU reference).

struct Face {
  box: vec4f,        // detection box x0, y0, x1, y1 (image px)
  grid: vec4f,       // x0, y0, dx, dy of the grid (image px)
  gridEnd: vec2f,    // x1, y1: the landmark box's far corner (the grid ends there)
  viewport: vec2f,   // size of the render target, its pixels
  boxColor: vec4f,
  scale: f32,        // target pixels per image pixel
  lineWidth: f32,    // box outline, target pixels
  dotRadius: f32,    // landmark dots, target pixels
  heatAlpha: f32,
  lo: f32,           // ramp ends: lo → blue, (lo + hi) / 2 → white, hi → red
  hi: f32,
  rows: u32,
  cols: u32,
  hullCount: u32,
  landmarkCount: u32,
}

@group(0) @binding(0) var<uniform> face: Face;
@group(0) @binding(1) var<storage, read> cells: array<f32>;
@group(0) @binding(2) var<storage, read> hull: array<vec2f>;
@group(0) @binding(3) var<storage, read> marks: array<vec2f>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let margin = (face.lineWidth + face.dotRadius + 2.0) / face.scale;
  let lo = min(face.box.xy, face.grid.xy) - margin;
  let hi = max(face.box.zw, face.gridEnd) + margin;
  let corner = array<vec2f, 6>(vec2f(0, 0), vec2f(1, 0), vec2f(0, 1), vec2f(0, 1), vec2f(1, 0), vec2f(1, 1))[i];
  let img = mix(lo, hi, corner);
  let px = (img + 0.5) * face.scale;                        // target pixels, y down
  let ndc = px / face.viewport * vec2f(2.0, -2.0) + vec2f(-1.0, 1.0);
  return vec4f(ndc, 0.0, 1.0);
}

// RdBu-like diverging ramp, t in [0, 1].
fn ramp(t: f32) -> vec3f {
  let blue = vec3f(0.129, 0.400, 0.675);
  let white = vec3f(0.969, 0.969, 0.969);
  let red = vec3f(0.698, 0.094, 0.169);
  let u = clamp(t, 0.0, 1.0);
  if (u < 0.5) { return mix(blue, white, u * 2.0); }
  return mix(white, red, u * 2.0 - 1.0);
}

fn insideHull(p: vec2f) -> bool {
  if (face.hullCount < 3u) { return false; }
  for (var k = 0u; k < face.hullCount; k++) {
    let a = hull[k];
    let b = hull[(k + 1u) % face.hullCount];
    // monotone-chain order (positive orientation in x, y): the inside is where this cross product is ≥ 0
    let c = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    if (c < 0.0) { return false; }
  }
  return true;
}

fn cellValue(p: vec2f) -> f32 {
  let c = clamp(floor((p.x - face.grid.x) / face.grid.z), 0.0, f32(face.cols - 1u));
  let r = clamp(floor((p.y - face.grid.y) / face.grid.w), 0.0, f32(face.rows - 1u));
  return cells[u32(r) * face.cols + u32(c)];
}

@fragment
fn fs(@builtin(position) frag: vec4f) -> @location(0) vec4f {
  let p = frag.xy / face.scale - 0.5;                        // image pixels, centres at integers
  var color = vec4f(0.0);
  if (insideHull(p)) {
    let t = (cellValue(p) - face.lo) / max(face.hi - face.lo, 1e-12);
    color = vec4f(ramp(t), face.heatAlpha);
  }
  // landmark dots: a light disc with a dark rim
  var nearest = 1e9;
  for (var k = 0u; k < face.landmarkCount; k++) { nearest = min(nearest, distance(p, marks[k])); }
  let d = nearest * face.scale;
  if (d <= face.dotRadius) { color = select(vec4f(0.08, 0.08, 0.08, 0.9), vec4f(1.0, 1.0, 1.0, 0.95), d <= face.dotRadius * 0.6); }
  // the box outline, drawn inside-out from the box edge
  let q = p * face.scale;
  let b = face.box * face.scale;
  let inner = min(min(q.x - b.x, b.z - q.x), min(q.y - b.y, b.w - q.y));
  if (inner >= -face.lineWidth * 0.5 && inner <= face.lineWidth * 0.5) { color = face.boxColor; }
  if (color.a <= 0.0) { discard; }
  return color;
}
