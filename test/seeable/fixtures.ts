// Test fixtures: a mean 68-point face shape (average of the HELEN training annotations, each face
// normalised to its landmark box; iBUG order) and helpers that place it in an image.
import { Rng } from '../../src/tensor/random.ts';
import type { RgbImage } from '../../src/seeable/image.ts';
import type { Landmarks } from '../../src/seeable/landmarks.ts';

// prettier-ignore
export const MEAN_SHAPE: readonly (readonly [number, number])[] = [[0.012,0.217],[0.016,0.349],[0.033,0.481],[0.061,0.609],[0.113,0.728],[0.194,0.83],[0.292,0.914],[0.397,0.98],[0.513,0.996],[0.626,0.972],[0.727,0.902],[0.821,0.817],[0.897,0.714],[0.947,0.594],[0.972,0.466],[0.984,0.335],[0.989,0.202],[0.092,0.121],[0.151,0.061],[0.237,0.042],[0.328,0.053],[0.411,0.082],[0.575,0.074],[0.663,0.043],[0.751,0.032],[0.837,0.052],[0.895,0.108],[0.497,0.188],[0.498,0.275],[0.499,0.359],[0.501,0.447],[0.399,0.508],[0.449,0.524],[0.501,0.538],[0.552,0.523],[0.597,0.506],[0.193,0.206],[0.248,0.173],[0.313,0.175],[0.368,0.217],[0.311,0.229],[0.245,0.23],[0.622,0.213],[0.678,0.166],[0.743,0.166],[0.796,0.196],[0.749,0.22],[0.685,0.223],[0.312,0.666],[0.382,0.636],[0.454,0.619],[0.5,0.631],[0.551,0.618],[0.624,0.634],[0.692,0.659],[0.626,0.729],[0.557,0.762],[0.503,0.769],[0.453,0.764],[0.382,0.734],[0.341,0.669],[0.454,0.661],[0.5,0.666],[0.552,0.659],[0.663,0.663],[0.553,0.698],[0.501,0.705],[0.453,0.7]];

/** The mean shape in a box at (x0, y0) of size w×h, optionally rotated by `angle` radians about its centre. */
export function faceLandmarks(x0: number, y0: number, w: number, h: number, angle = 0): Landmarks {
  const out = new Float64Array(136);
  const cx = x0 + w / 2;
  const cy = y0 + h / 2;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  MEAN_SHAPE.forEach(([u, v], i) => {
    const dx = x0 + u * w - cx;
    const dy = y0 + v * h - cy;
    out[2 * i] = cx + c * dx - s * dy;
    out[2 * i + 1] = cy + s * dx + c * dy;
  });
  return out;
}

/** The mean shape made exactly left-right symmetric about x = axis (average with its mirror). */
export function symmetricLandmarks(lm: Landmarks, flip: readonly number[], axis: number): Landmarks {
  const out = new Float64Array(136);
  for (let i = 0; i < 68; i++) {
    const j = flip[i];
    out[2 * i] = (lm[2 * i] + (2 * axis - lm[2 * j])) / 2;
    out[2 * i + 1] = (lm[2 * i + 1] + lm[2 * j + 1]) / 2;
  }
  return out;
}

/** A textured random RGB image (smooth gradient + noise), never constant. */
export function texturedImage(width: number, height: number, seed = 1): RgbImage {
  const rng = new Rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const base = 60 + 120 * (0.5 + 0.5 * Math.sin((x * (c + 1)) / 13 + y / 17));
        data[3 * (y * width + x) + c] = Math.max(0, Math.min(255, Math.round(base + rng.uniform(-30, 30))));
      }
    }
  }
  return { width, height, data };
}
