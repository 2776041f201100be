// MobileNet-V1 (Howard et al. 2017) as a trainable encoder: images in [0, 1] → x·2 − 1 → conv0 3×3/2 +
// relu6 → 13 × (depthwise 3×3 (stride 2 at blocks 2, 4, 6, 12) + bias + relu6, pointwise 1×1 + bias +
// relu6) → global average pool → [N, 1024]. No batch norm: the layout of face-api's SSD backbone, whose
// BN is folded into the depthwise weights (foldSsdBackbone), so those pretrained weights load as they
// are — the only pretrained convolutional features this project can ship (shared/weights/README.md).
// TF 'same' padding throughout, as the original. Parameter names: conv0.*, conv{i}.depthwise.*, conv{i}.pointwise.*.
import { conv2d } from '../../ops/conv2d.ts';
import { depthwiseConv2d } from '../../ops/depthwise.ts';
import { add, minimum, mul } from '../../ops/elementwise.ts';
import { globalAvgPool2d } from '../../ops/pool.ts';
import { reshape } from '../../ops/shape.ts';
import { relu } from '../../ops/unary.ts';
import { Module } from '../../nn/module.ts';
import { then } from '../efficientnet/layers.ts';
import { tensor } from '../../tensor/create.ts';
import { Rng } from '../../tensor/random.ts';
import type { Tensor } from '../../tensor/tensor.ts';

/** Output channels of conv0 … conv13 (depth multiplier 1). */
export const MOBILENET_V1_CHANNELS = [32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];
/** blocks whose depthwise conv has stride 2 */
export const MOBILENET_V1_STRIDE2: ReadonlySet<number> = new Set([2, 4, 6, 12]);

/** He-normal weights N(0, 2 / fan_out) (timm's convention), zero biases. */
function heConv(shape: number[], fanOut: number, rng: Rng): Tensor {
  const std = Math.sqrt(2 / fanOut);
  return tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, std)), shape);
}

/** A convolution's weight and bias (the op and its stride are the caller's). */
class ConvParams extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(shape: number[], fanOut: number, rng: Rng) {
    super();
    this.weight = this.registerParameter('weight', heConv(shape, fanOut, rng));
    this.bias = this.registerParameter('bias', tensor(new Float32Array(shape[0]), [shape[0]]));
  }
}

class SeparableParams extends Module {
  readonly depthwise: ConvParams;
  readonly pointwise: ConvParams;
  constructor(cin: number, cout: number, rng: Rng) {
    super();
    this.depthwise = this.registerModule('depthwise', new ConvParams([cin, 1, 3, 3], 9, rng));
    this.pointwise = this.registerModule('pointwise', new ConvParams([cout, cin, 1, 1], cout, rng));
  }
}

export class MobileNetV1Encoder extends Module {
  readonly numFeatures = MOBILENET_V1_CHANNELS[MOBILENET_V1_CHANNELS.length - 1];
  /** drop-connect stream of the EfficientNet encoders; MobileNet-V1 has none, kept so checkpoints agree */
  readonly dropRng: Rng;
  private readonly stem: ConvParams;
  private readonly blocks: SeparableParams[] = [];

  constructor(opts: { rng?: Rng; dropRng?: Rng } = {}) {
    super();
    const rng = opts.rng ?? new Rng(0);
    this.dropRng = opts.dropRng ?? rng.fork();
    const C = MOBILENET_V1_CHANNELS;
    this.stem = this.registerModule('conv0', new ConvParams([C[0], 3, 3, 3], 9 * C[0], rng));
    for (let i = 1; i < C.length; i++) this.blocks.push(this.registerModule(`conv${i}`, new SeparableParams(C[i - 1], C[i], rng)));
  }

  /** x [N, 3, H, W] in [0, 1] → pooled features [N, 1024]. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3) throw new Error(`MobileNetV1Encoder: expects x [N, 3, H, W], got [${x.shape.join(', ')}]`);
    const relu6 = (t: Tensor) => then(relu(t), (r) => minimum(r, 6));
    let h = then(mul(x, 2), (t) => add(t, -1));
    h = then(h, (t) => relu6(conv2d(t, this.stem.weight, { bias: this.stem.bias, stride: 2, padding: 'same' })));
    this.blocks.forEach((b, j) => {
      const stride = MOBILENET_V1_STRIDE2.has(j + 1) ? 2 : 1;
      h = then(h, (t) => relu6(depthwiseConv2d(t, b.depthwise.weight, { bias: b.depthwise.bias, stride, padding: 'same' })));
      h = then(h, (t) => relu6(conv2d(t, b.pointwise.weight, { bias: b.pointwise.bias, padding: 'same' })));
    });
    h = then(h, globalAvgPool2d);
    return then(h, (t) => reshape(t, [t.shape[0], t.shape[1]]));
  }
}
