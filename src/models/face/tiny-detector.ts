// face-api.js's tiny face detector (a Tiny-YOLO-v2 with depthwise-separable convs) on our ops, and its
// box decoding. Input: RGB 0‥255 [1, 3, S, S], S a multiple of 32 (face-api's default 416).
//   (x − mean) / 255 → conv0 3×3 valid + leaky 0.1 → maxpool 2 → conv1‥conv5 (separable, pad 1,
//   + leaky 0.1), a 2×2 max-pool after each (stride 2; stride 1 'same' after conv5) → conv8 1×1 → 25
//   channels = 5 anchors × (x, y, w, h, score) on an (S/32)² grid.
// Decoding (TinyYolov2Base.extractBoxes): score = σ(t_s); centre = ((col, row) + σ(t_x, t_y)) / cells;
// size = exp(t_w, t_h)·anchor / cells; both scaled by S / (the image's resized extent) so boxes are
// relative to the image, not the padded square; then NMS at IoU 0.4.
import { conv2d } from '../../ops/conv2d.ts';
import { maxPool2d } from '../../ops/pool.ts';
import { leakyRelu } from '../../ops/unary.ts';
import { tidy } from '../../tensor/scope.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { get, normalizeRgb, separableConv } from './layers.ts';
import { nonMaxSuppression, type Box } from './nms.ts';
import { disposeFaceWeights, loadFaceWeights, separableShapes, type FaceWeights } from './weights.ts';

const MEAN_RGB = [117.001, 114.697, 97.404] as const;
const CHANNELS = [16, 32, 64, 128, 256, 512];
/** Anchor sizes in grid cells (face-api's BOX_ANCHORS). */
export const TINY_ANCHORS: readonly (readonly [number, number])[] = [
  [1.603231, 2.094468], [6.041143, 7.080126], [2.882459, 3.518061], [4.266906, 5.178857], [9.041765, 10.66308],
];
export const TINY_IOU_THRESHOLD = 0.4;
/** face-api's leaky(): relu(x − 0.1x) + 0.1x with the f32 value of 0.1 */
const LEAKY = 0.10000000149011612;

export interface RelativeDetection {
  /** box relative to the image: x, y, width, height in [0, 1]-ish units of its width / height */
  box: Box;
  score: number;
}

function expectedShapes(): Map<string, number[]> {
  const m = new Map<string, number[]>([['conv0.weight', [16, 3, 3, 3]], ['conv0.bias', [16]]]);
  for (let i = 1; i < CHANNELS.length; i++) for (const [n, s] of separableShapes(`conv${i}`, CHANNELS[i - 1], CHANNELS[i])) m.set(n, s);
  m.set('conv8.weight', [25, 512, 1, 1]).set('conv8.bias', [25]);
  return m;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export class TinyFaceDetector {
  private constructor(private readonly w: FaceWeights) {}

  /** From the bytes of weights/tiny-face-detector.safetensors. */
  static load(bytes: Uint8Array): TinyFaceDetector {
    return new TinyFaceDetector(loadFaceWeights(bytes, expectedShapes(), 'tiny-face-detector'));
  }

  /** x [N, 3, S, S] RGB 0‥255 → raw head [N, 25, S/32, S/32]. */
  forward(x: Tensor): Tensor {
    const s = x.shape[2];
    if (x.rank !== 4 || x.shape[1] !== 3 || x.shape[3] !== s || s % 32 !== 0) {
      throw new Error(`TinyFaceDetector: expects [N, 3, S, S] with S a multiple of 32, got [${x.shape}]`);
    }
    return tidy(() => {
      let out = normalizeRgb(x, MEAN_RGB);
      out = leakyRelu(conv2d(out, get(this.w, 'conv0.weight'), { bias: get(this.w, 'conv0.bias') }), LEAKY);
      out = maxPool2d(out, 2, { stride: 2, padding: 'same' });
      for (let i = 1; i < CHANNELS.length; i++) {
        out = leakyRelu(separablePadded(out, this.w, `conv${i}`), LEAKY);
        out = maxPool2d(out, 2, { stride: i === CHANNELS.length - 1 ? 1 : 2, padding: 'same' });
      }
      return conv2d(out, get(this.w, 'conv8.weight'), { bias: get(this.w, 'conv8.bias') });
    });
  }

  dispose(): void {
    disposeFaceWeights(this.w);
  }
}

/** The detector's separable conv: explicit 1-pixel zero pad then valid (= symmetric padding 1). */
function separablePadded(x: Tensor, w: FaceWeights, scope: string): Tensor {
  return separableConv(x, w, scope, 1, 1);
}

/**
 * Decode one image's head [25, cells, cells] (CHW, host copy) into boxes relative to the image, NMS'd.
 * `resized` is the image's extent inside the S² input (face-api: round(w·S/max), round(h·S/max)).
 */
export function decodeTinyHead(head: Float32Array, cells: number, inputSize: number, resized: { width: number; height: number },
  scoreThreshold = 0.5, iouThreshold = TINY_IOU_THRESHOLD): RelativeDetection[] {
  if (head.length !== 25 * cells * cells) throw new Error(`decodeTinyHead: ${head.length} values for 25×${cells}×${cells}`);
  const fx = inputSize / resized.width, fy = inputSize / resized.height;
  const plane = cells * cells;
  const found: RelativeDetection[] = [];
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      for (let a = 0; a < TINY_ANCHORS.length; a++) {
        const at = (k: number) => head[(a * 5 + k) * plane + row * cells + col];
        const score = sigmoid(at(4));
        if (!(score > scoreThreshold)) continue;
        const cx = ((col + sigmoid(at(0))) / cells) * fx;
        const cy = ((row + sigmoid(at(1))) / cells) * fy;
        const w = ((Math.exp(at(2)) * TINY_ANCHORS[a][0]) / cells) * fx;
        const h = ((Math.exp(at(3)) * TINY_ANCHORS[a][1]) / cells) * fy;
        found.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score });
      }
    }
  }
  const keep = nonMaxSuppression(found.map((d) => d.box), found.map((d) => d.score), iouThreshold);
  return keep.map((i) => found[i]);
}
