// EfficientNet B0–B4 on our kernels, built from the coefficient table in config.ts, with timm's
// module names (conv_stem, bn1, blocks.{s}.{b}.*, conv_head, bn2[, classifier]) so that a timm
// state dict maps by identity. forward() returns the globally pooled feature [N, F] (1280 for
// B0 … 1792 for B4); forwardStages() also returns each stage's feature map.
import { getGpu } from '../../gpu/device.ts';
import { Linear } from '../../nn/linear.ts';
import { Module } from '../../nn/module.ts';
import { Sequential } from '../../nn/sequential.ts';
import { globalAvgPool2d } from '../../ops/pool.ts';
import { reshape } from '../../ops/shape.ts';
import { Rng } from '../../tensor/random.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { makeBlock, type MBConvBase } from './blocks.ts';
import { efficientNetConfig, layoutOf, type EfficientNetConfig, type EfficientNetVariant, type Layout } from './config.ts';
import { BatchNorm, Conv, then } from './layers.ts';

export interface EfficientNetOptions extends Partial<EfficientNetConfig> {
  /** seed of the weight initialisation (timm's scheme); default 0 */
  seed?: number;
  /** init stream (overrides seed) */
  rng?: Rng;
  /** the stream drop-connect draws its per-sample masks from (checkpoint it to replay a run) */
  dropRng?: Rng;
  /** γ = 0 for the last BN of every residual block, so each starts as the identity */
  zeroInitLastBn?: boolean;
}

export interface StageOutputs {
  features: Tensor;
  /** the output of each of the 7 stages, [N, C_s, H/2^k, W/2^k] */
  stages: Tensor[];
}

export class EfficientNet extends Module {
  readonly config: EfficientNetConfig;
  readonly layout: Layout;
  readonly dropRng: Rng;
  readonly conv_stem: Conv;
  readonly bn1: BatchNorm;
  readonly blocks: Sequential;
  readonly conv_head: Conv;
  readonly bn2: BatchNorm;
  readonly classifier: Linear | null;

  constructor(variant: EfficientNetVariant | EfficientNetConfig, opts: EfficientNetOptions = {}) {
    super();
    const { seed, rng: initRng, dropRng, zeroInitLastBn, ...overrides } = opts;
    const cfg = typeof variant === 'string' ? efficientNetConfig(variant, overrides) : { ...variant, ...overrides };
    this.config = cfg;
    this.layout = layoutOf(cfg);
    const rng = initRng ?? new Rng(seed ?? 0);
    this.dropRng = dropRng ?? rng.fork();
    const L = this.layout;
    this.conv_stem = this.registerModule('conv_stem', new Conv(3, L.stem, 3, { stride: 2, padding: cfg.padding }, rng));
    this.bn1 = this.registerModule('bn1', new BatchNorm(L.stem, cfg.bnEps, cfg.bnMomentum, 'silu'));
    const stages = L.stages.map((specs) => new Sequential(...specs.map((s) => makeBlock(s, cfg, rng, this.dropRng))));
    this.blocks = this.registerModule('blocks', new Sequential(...stages));
    const last = L.stages[L.stages.length - 1];
    this.conv_head = this.registerModule('conv_head', new Conv(last[last.length - 1].outChannels, L.head, 1, { padding: cfg.padding }, rng));
    this.bn2 = this.registerModule('bn2', new BatchNorm(L.head, cfg.bnEps, cfg.bnMomentum, 'silu'));
    this.classifier = cfg.numClasses > 0 ? this.registerModule('classifier', timmLinear(L.head, cfg.numClasses, rng)) : null;
    if (zeroInitLastBn) {
      for (const b of this.blockList()) if (b.spec.skip) getGpu().write(b.lastBn().weight.buffer, new Float32Array(b.lastBn().channels));
    }
  }

  /** Pooled features per stage: the channels of the vector forward() returns. */
  get numFeatures(): number {
    return this.layout.head;
  }

  blockList(): MBConvBase[] {
    return this.blocks.layers.flatMap((s) => (s as Sequential).layers as MBConvBase[]);
  }

  /** x [N, 3, H, W] → pooled feature [N, numFeatures]. */
  forward(x: Tensor): Tensor {
    return this.run(x, null);
  }

  /** The pooled feature and the output of every stage (the caller disposes them). */
  forwardStages(x: Tensor): StageOutputs {
    const stages: Tensor[] = [];
    const features = this.run(x, stages);
    return { features, stages };
  }

  /** Logits of the classifier (numClasses > 0); the caller applies config.dropout before it if training. */
  classify(features: Tensor): Tensor {
    if (!this.classifier) throw new Error('EfficientNet: built without a classifier (numClasses = 0)');
    return this.classifier.forward(features);
  }

  private run(x: Tensor, keepStages: Tensor[] | null): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3) throw new Error(`EfficientNet: expects x [N, 3, H, W], got [${x.shape.join(', ')}]`);
    let h = this.conv_stem.forward(x);
    h = then(h, (t) => this.bn1.forward(t)); // + swish, fused
    for (const stage of this.blocks.layers) {
      for (const block of (stage as Sequential).layers) {
        const next = block.forward(h);
        if (!keepStages?.includes(h)) h.dispose();
        h = next;
      }
      keepStages?.push(h);
    }
    const stageOut = h;
    h = this.conv_head.forward(h);
    if (!keepStages) stageOut.dispose();
    h = then(h, (t) => this.bn2.forward(t)); // + swish, fused
    h = then(h, globalAvgPool2d);
    return then(h, (t) => reshape(t, [t.shape[0], t.shape[1]]));
  }
}

/** timm's classifier init: U(±1/√out), bias 0. */
function timmLinear(inF: number, outF: number, rng: Rng): Linear {
  const l = new Linear(inF, outF, { rng: new Rng(0) });
  const bound = 1 / Math.sqrt(outF);
  const w = new Float32Array(inF * outF);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
  getGpu().write(l.weight.buffer, w);
  getGpu().write(l.bias!.buffer, new Float32Array(outF));
  return l;
}
