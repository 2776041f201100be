// face-api.js's SSD MobileNet-V1 face detector on our ops. Input: RGB 0‥255 [N, 3, 512, 512] (the image
// padded bottom/right to a square and resized to 512², as for the tiny detector).
//   x / 127.5 − 1 → MobileNet-V1: conv0 3×3/2 + relu6, then 13 × (depthwise 3×3 (stride 2 at 2, 4, 6, 12)
//   + batch norm + relu6, pointwise 1×1 + relu6) → 8 extra convs (1×1, 3×3/2 alternating, + relu6) →
//   six box predictors (1×1 convs: 4 box offsets and 3 class logits per anchor) on conv11 (32², 3
//   anchors), conv13 (16²) and extra convs 1, 3, 5, 7 (8², 4², 2², 1², 6 anchors each).
// The BN after each depthwise conv is folded into its weights and a bias at load (y = (dw(x) − mean) ·
// γ/√(var + ε) + β, in double); all convs use TF 'same' padding as the original.
// Output [N, 5118, 7]: per anchor, in face-api's order (predictor, row, column, anchor), the 4 box
// offsets then the 3 class logits. Decoding and NMS: ssd-decode.ts.
import { conv2d } from '../../ops/conv2d.ts';
import { depthwiseConv2d } from '../../ops/depthwise.ts';
import { minimum, mul, sub } from '../../ops/elementwise.ts';
import { concat, permute, reshape } from '../../ops/shape.ts';
import { relu } from '../../ops/unary.ts';
import { tensor } from '../../tensor/create.ts';
import { keep, tidy } from '../../tensor/scope.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { Box } from './nms.ts';
import { squareInput, type RgbPixels } from './preprocess.ts';
import { decodeSsdHead, type SsdDecodeOptions } from './ssd-decode.ts';
import { foldSsdBatchNorm, readSsdWeights, SSD_ANCHORS, SSD_BOX_PREDICTORS, SSD_MOBILENET_CHANNELS, SSD_PREDICTION_CONVS } from './ssd-weights.ts';

export const SSD_INPUT = 512;
/** depthwise layers with stride 2 */
const STRIDE2 = new Set([2, 4, 6, 12]);

const relu6 = (x: Tensor) => minimum(relu(x), 6);

export class SsdMobilenetV1 {
  private constructor(
    private readonly w: Map<string, Tensor>,
    /** [5118, 4] (ymin, xmin, ymax, xmax) relative to the 512² input, host copy for decoding */
    readonly anchors: Float32Array,
  ) {}

  /** From the bytes of weights/ssd-mobilenet-v1.safetensors. */
  static load(bytes: Uint8Array): SsdMobilenetV1 {
    const host = foldSsdBatchNorm(readSsdWeights(bytes));
    const w = new Map<string, Tensor>();
    for (const [name, t] of host) if (name !== 'anchors') w.set(name, keep(tensor(t.data, t.shape)));
    return new SsdMobilenetV1(w, host.get('anchors')!.data);
  }

  private get(name: string): Tensor {
    const t = this.w.get(name);
    if (!t) throw new Error(`ssd-mobilenet-v1: no tensor ${name}`);
    return t;
  }

  private conv(x: Tensor, scope: string, stride = 1): Tensor {
    return conv2d(x, this.get(`${scope}.weight`), { bias: this.get(`${scope}.bias`), stride, padding: 'same' });
  }

  /** x [N, 3, 512, 512] RGB 0‥255 → [N, 5118, 7] (4 box offsets, 3 class logits per anchor). */
  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3 || x.shape[2] !== SSD_INPUT || x.shape[3] !== SSD_INPUT) {
      throw new Error(`SsdMobilenetV1: expects [N, 3, ${SSD_INPUT}, ${SSD_INPUT}], got [${x.shape}]`);
    }
    return tidy(() => {
      let out = relu6(this.conv(sub(mul(x, 1 / 127.5), 1), 'mobilenet.conv0', 2));
      let conv11: Tensor | null = null;
      for (let i = 1; i < SSD_MOBILENET_CHANNELS.length; i++) {
        const p = `mobilenet.conv${i}`;
        out = relu6(depthwiseConv2d(out, this.get(`${p}.depthwise.weight`), { bias: this.get(`${p}.depthwise.bias`), stride: STRIDE2.has(i) ? 2 : 1, padding: 'same' }));
        out = relu6(this.conv(out, `${p}.pointwise`));
        if (i === 11) conv11 = out;
      }
      const feats = [conv11!, out];
      let y = out;
      SSD_PREDICTION_CONVS.forEach(([k], i) => {
        y = relu6(this.conv(y, `prediction.conv${i}`, k === 3 ? 2 : 1));
        if (k === 3) feats.push(y);
      });
      const n = x.shape[0];
      const perAnchor = (t: Tensor, k: number) => reshape(permute(t, [0, 2, 3, 1]), [n, -1, k]);
      const boxes = feats.map((f, i) => perAnchor(this.conv(f, `prediction.box${i}.encoding`), 4));
      const classes = feats.map((f, i) => perAnchor(this.conv(f, `prediction.box${i}.class`), 3));
      const res = concat([concat(boxes, 1), concat(classes, 1)], 2);
      if (res.shape[1] !== SSD_ANCHORS || feats.some((f, i) => f.shape[1] !== SSD_BOX_PREDICTORS[i].channels)) {
        throw new Error(`SsdMobilenetV1: ${res.shape[1]} anchors, expected ${SSD_ANCHORS}`);
      }
      return res;
    });
  }

  dispose(): void {
    for (const t of this.w.values()) t.dispose();
    this.w.clear();
  }
}

/** Boxes (image pixels) with scores, best first: face-api's SsdMobilenetv1.locateFaces. */
export async function detectBoxesSsd(img: RgbPixels, net: SsdMobilenetV1, o: SsdDecodeOptions = {}): Promise<{ box: Box; score: number }[]> {
  const sq = squareInput(img, { x: 0, y: 0, width: img.width, height: img.height }, SSD_INPUT, false);
  const x = tensor(sq.chw, [1, 3, SSD_INPUT, SSD_INPUT]);
  let head: Float32Array;
  try {
    const y = net.forward(x);
    head = await y.readF32();
    y.dispose();
  } finally {
    x.dispose();
  }
  const s = SSD_INPUT / Math.max(img.width, img.height);
  const resized = { width: Math.round(img.width * s), height: Math.round(img.height * s) };
  return decodeSsdHead(head, net.anchors, SSD_INPUT, resized, o).map((d) => ({
    score: d.score,
    box: { x: d.box.x * img.width, y: d.box.y * img.height, width: d.box.width * img.width, height: d.box.height * img.height },
  }));
}
