// face-api.js's 68-point landmark net (FaceLandmark68Net) on our ops. Input: RGB 0‥255, [N, 3, 112, 112]
// (a square face crop resized to 112²). Output: [N, 136] = 68 (x, y) in [0, 1] of the crop, iBUG order.
//   normalise (x − mean) / 255 → four dense blocks (32, 64, 128, 256 ch; first conv stride 2) →
//   7×7 average pool (stride 2, valid: 7² → 1²) → dense 256 → 136.
// Dense block: out1 = relu(conv0(x)); out2 = sep(out1); out3 = sep(relu(out1+out2));
//   out4 = sep(relu(out1+out2+out3)); relu(out1+out2+out3+out4). dense0/conv0 is a plain 3×3 conv.
import { add } from '../../ops/elementwise.ts';
import { avgPool2d } from '../../ops/pool.ts';
import { reshape } from '../../ops/shape.ts';
import { relu } from '../../ops/unary.ts';
import { tidy } from '../../tensor/scope.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { convSame, get, normalizeRgb, separableConv } from './layers.ts';
import { conv2d } from '../../ops/conv2d.ts';
import { disposeFaceWeights, loadFaceWeights, separableShapes, type FaceWeights } from './weights.ts';

export const LANDMARK_INPUT = 112;
const MEAN_RGB = [122.782, 117.001, 104.298] as const;
const CHANNELS = [32, 64, 128, 256];

function expectedShapes(): Map<string, number[]> {
  const m = new Map<string, number[]>([['dense0.conv0.weight', [32, 3, 3, 3]], ['dense0.conv0.bias', [32]]]);
  let cin = 3;
  CHANNELS.forEach((c, b) => {
    for (let k = 0; k < 4; k++) {
      if (b === 0 && k === 0) continue;
      for (const [n, s] of separableShapes(`dense${b}.conv${k}`, k === 0 ? cin : c, c)) m.set(n, s);
    }
    cin = c;
  });
  m.set('fc.weight', [136, 256]).set('fc.bias', [136]);
  return m;
}

export class FaceLandmark68Net {
  private constructor(private readonly w: FaceWeights) {}

  /** From the bytes of weights/face-landmark-68.safetensors. */
  static load(bytes: Uint8Array): FaceLandmark68Net {
    return new FaceLandmark68Net(loadFaceWeights(bytes, expectedShapes(), 'face-landmark-68'));
  }

  /** x [N, 3, 112, 112] RGB 0‥255 → [N, 136] (x0, y0, x1, y1, …) in [0, 1] of the input. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3 || x.shape[2] !== LANDMARK_INPUT || x.shape[3] !== LANDMARK_INPUT) {
      throw new Error(`FaceLandmark68Net: expects [N, 3, 112, 112], got [${x.shape}]`);
    }
    return tidy(() => {
      let out = normalizeRgb(x, MEAN_RGB);
      for (let b = 0; b < CHANNELS.length; b++) out = this.denseBlock(out, `dense${b}`, b === 0);
      out = avgPool2d(out, 7, { stride: 2 });
      const n = x.shape[0];
      const y = conv2d(out, reshape(get(this.w, 'fc.weight'), [136, 256, 1, 1]), { bias: get(this.w, 'fc.bias') });
      return reshape(y, [n, 136]);
    });
  }

  private denseBlock(x: Tensor, scope: string, first: boolean): Tensor {
    const out1 = relu(first ? convSame(x, this.w, `${scope}.conv0`, 2) : separableConv(x, this.w, `${scope}.conv0`, 2));
    const out2 = separableConv(out1, this.w, `${scope}.conv1`, 1);
    const s12 = add(out1, out2);
    const out3 = separableConv(relu(s12), this.w, `${scope}.conv2`, 1);
    const s123 = add(s12, out3);
    const out4 = separableConv(relu(s123), this.w, `${scope}.conv3`, 1);
    return relu(add(s123, out4));
  }

  dispose(): void {
    disposeFaceWeights(this.w);
  }
}
