// The demo's render shaders (shaders/image.wgsl, shaders/face-overlay.wgsl) drawn by Node's Dawn
// into an offscreen texture and read back as the demo page does (renderPixels, ImageData rows),
// pixel by pixel against a float64 CPU reference of what they should draw: opaque, the photo, the
// heat map of each grid cell clipped to the face hull on the diverging ramp, the landmark dots and
// the box outline. And the overlay's grid, mapped back from the model crop,
// puts every image point in the cell the scorer's grid (gridCellIndex, crop frame) puts it in.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { getGpu } from '../../src/gpu/device.ts';
import { cropBox, landmarksInCrop } from '../../src/seeable/crop.ts';
import { gridCellIndex } from '../../src/seeable/locations.ts';
import { Rng } from '../../src/tensor/random.ts';
import { OverlayRenderer, withDefaults, BOX_COLORS } from '../../src/web/overlay.ts';
import { imageGrid, overlayFace, type OverlayFace } from '../../src/web/overlay-geometry.ts';
import { setupGpu } from '../helpers/harness.ts';
import { faceLandmarks, texturedImage } from '../seeable/fixtures.ts';

const shaders = (f: string) => readFileSync(join(import.meta.dirname, '..', '..', 'shaders', `${f}.wgsl`), 'utf8');
before(setupGpu);

it('the overlay grid maps image points to the scorer\'s cells (crop frame)', () => {
  const rng = new Rng(7);
  for (const [w, h, size, rows, cols] of [[181, 157, 32, 2, 2], [250, 250, 64, 4, 4], [97, 131, 40, 3, 5]]) {
    const lm = faceLandmarks(w * 0.21, h * 0.18, w * 0.55, h * 0.6, 0.12);
    const g = imageGrid(lm, w, h, size, rows, cols);
    const box = cropBox(lm, w, h, 'test');
    const sx = size / (box.x1 - box.x0), sy = size / (box.y1 - box.y0);
    const cellOf = gridCellIndex(landmarksInCrop(lm, box, size), rows, cols);
    for (let i = 0; i < 400; i++) {
      const x = rng.uniform(box.x0, box.x1), y = rng.uniform(box.y0, box.y1);
      const c = Math.min(cols - 1, Math.max(0, Math.floor((x - g.x0) / g.dx)));
      const r = Math.min(rows - 1, Math.max(0, Math.floor((y - g.y0) / g.dy)));
      assert.equal(r * cols + c, cellOf((x - box.x0 + 0.5) * sx - 0.5, (y - box.y0 + 0.5) * sy - 0.5), `point (${x}, ${y}) of ${w}×${h}`);
    }
  }
});

// float64 reference of face-overlay.wgsl's fragment colour at image point p (scale: target px per image px)
function ramp(t: number): number[] {
  const blue = [0.129, 0.4, 0.675], white = [0.969, 0.969, 0.969], red = [0.698, 0.094, 0.169];
  const u = Math.min(1, Math.max(0, t));
  return u < 0.5 ? blue.map((b, i) => b + (white[i] - b) * u * 2) : white.map((a, i) => a + (red[i] - a) * (u * 2 - 1));
}

function refOverlay(f: OverlayFace, px: number, py: number, s: Required<ReturnType<typeof withDefaults>>): number[] | null {
  const [x, y] = [px / s.scale - 0.5, py / s.scale - 0.5];
  let color: number[] | null = null;
  const n = f.hull.length;
  const inside = n >= 3 && f.hull.every(([ax, ay], k) => {
    const [bx, by] = f.hull[(k + 1) % n];
    return (bx - ax) * (y - ay) - (by - ay) * (x - ax) >= 0;
  });
  if (inside) {
    const c = Math.min(f.grid.cols - 1, Math.max(0, Math.floor((x - f.grid.x0) / f.grid.dx)));
    const r = Math.min(f.grid.rows - 1, Math.max(0, Math.floor((y - f.grid.y0) / f.grid.dy)));
    color = [...ramp((f.cells[r * f.grid.cols + c] - f.lo) / (f.hi - f.lo)), s.heatAlpha];
  }
  let nearest = Infinity;
  for (let i = 0; i < f.landmarks.length; i += 2) nearest = Math.min(nearest, Math.hypot(x - f.landmarks[i], y - f.landmarks[i + 1]));
  const d = nearest * s.scale;
  if (d <= s.dotRadius) color = d <= s.dotRadius * 0.6 ? [1, 1, 1, 0.95] : [0.08, 0.08, 0.08, 0.9];
  const [qx, qy] = [x * s.scale, y * s.scale];
  const b = f.box.map((v) => v * s.scale);
  const inner = Math.min(qx - b[0], b[2] - qx, qy - b[1], b[3] - qy);
  if (Math.abs(inner) <= s.lineWidth * 0.5) color = [...(f.fake === null ? BOX_COLORS.unknown : f.fake ? BOX_COLORS.fake : BOX_COLORS.real)];
  return color;
}

it('draws the photo, the heat map, the landmarks and the box as the float64 reference says', async () => {
  const gpu = getGpu();
  const device = gpu.device;
  const W = 83, H = 71, scale = 1;
  const img = texturedImage(W, H, 3);
  const rng = new Rng(11);
  const faces = [
    overlayFace({ lm: faceLandmarks(9.37, 6.61, 41.3, 45.9, 0.07), box: [7.43, 3.71, 52.29, 55.13], perLocation: [0.31, -0.12, 0.05, -0.4], score: 0.04, threshold: 0.02, width: W, height: H, size: 32, rows: 2, cols: 2 }),
    overlayFace({ lm: faceLandmarks(55.2, 30.4, 21.7, 27.3, -0.1), box: null, perLocation: Array.from({ length: 9 }, () => rng.uniform(-0.3, 0.3)), score: -0.1, threshold: null, width: W, height: H, size: 40, rows: 3, cols: 3 }),
  ];
  const style = withDefaults({ scale, lineWidth: 2.3, dotRadius: 1.7 });
  const renderer = new OverlayRenderer(device, 'rgba8unorm', { image: shaders('image'), faceOverlay: shaders('face-overlay') });
  const photo = renderer.uploadPhoto(img);
  // the page's path: an offscreen texture read back as ImageData rows (W·4 bytes, not 256-aligned)
  const out = await renderer.renderPixels(photo, faces, style, W * scale, H * scale);
  assert.equal(out.length, W * H * 4);
  photo.destroy();

  let worst = 0, heat = 0, dots = 0, outline = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c = [0, 1, 2].map((k) => img.data[3 * (y * W + x) + k] / 255);
      for (const f of faces) {
        const o = refOverlay(f, x + 0.5, y + 0.5, style);
        if (!o) continue;
        if (o[3] === style.heatAlpha) heat++;
        else if (o[3] === 1) outline++;
        else dots++;
        c = c.map((v, k) => o[k] * o[3] + v * (1 - o[3]));
      }
      assert.equal(out[4 * (y * W + x) + 3], 255, `pixel (${x}, ${y}) alpha`); // putImageData shows it as is
      for (let k = 0; k < 3; k++) {
        const got = out[4 * (y * W + x) + k];
        assert.ok(Number.isFinite(got));
        const err = Math.abs(got - c[k] * 255);
        worst = Math.max(worst, err);
        assert.ok(err <= 1.5, `pixel (${x}, ${y}) channel ${k}: ${got}, reference ${(c[k] * 255).toFixed(2)}`);
      }
    }
  }
  // the picture has each kind of mark (the test would be empty otherwise)
  assert.ok(heat > 300 && dots > 50 && outline > 100, `heat ${heat}, dots ${dots}, outline ${outline} pixels`);
  console.log(`# render: worst |Δ| ${worst.toFixed(2)}/255 over ${W}×${H}; heat ${heat}, dot ${dots}, outline ${outline} px`);
});
