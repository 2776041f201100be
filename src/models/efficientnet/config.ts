// EfficientNet B0–B4 as data: one row of coefficients per variant (width, depth, resolution,
// dropout) scales one base table of seven stages. The rounding rules are those of timm,
// torchvision and efficientnet_pytorch (identical for B0–B4), so channel counts, block counts and
// therefore every weight shape agree with their checkpoints.

export type EfficientNetVariant = 'b0' | 'b1' | 'b2' | 'b3' | 'b4';

export interface Coefficients {
  width: number;
  depth: number;
  /** the training/eval resolution the variant was designed for */
  resolution: number;
  /** dropout before a classifier (we return features: the consumer applies it) */
  dropout: number;
}

export const COEFFICIENTS: Readonly<Record<EfficientNetVariant, Coefficients>> = {
  b0: { width: 1.0, depth: 1.0, resolution: 224, dropout: 0.2 },
  b1: { width: 1.0, depth: 1.1, resolution: 240, dropout: 0.2 },
  b2: { width: 1.1, depth: 1.2, resolution: 260, dropout: 0.3 },
  b3: { width: 1.2, depth: 1.4, resolution: 300, dropout: 0.3 },
  b4: { width: 1.4, depth: 1.8, resolution: 380, dropout: 0.4 },
};

/** One stage of the base (B0) network: `repeats` MBConv blocks, the first with `stride`. */
export interface StageDef {
  expand: number;
  kernel: number;
  stride: number;
  channels: number;
  repeats: number;
}

export const BASE_STAGES: readonly StageDef[] = [
  { expand: 1, kernel: 3, stride: 1, channels: 16, repeats: 1 },
  { expand: 6, kernel: 3, stride: 2, channels: 24, repeats: 2 },
  { expand: 6, kernel: 5, stride: 2, channels: 40, repeats: 2 },
  { expand: 6, kernel: 3, stride: 2, channels: 80, repeats: 3 },
  { expand: 6, kernel: 5, stride: 1, channels: 112, repeats: 3 },
  { expand: 6, kernel: 5, stride: 2, channels: 192, repeats: 4 },
  { expand: 6, kernel: 3, stride: 1, channels: 320, repeats: 1 },
];
export const BASE_STEM = 32;
export const BASE_HEAD = 1280;
/** squeeze-excite width as a fraction of the block's input channels */
export const SE_RATIO = 0.25;

/** symmetric: PyTorch padding k//2 (timm, torchvision). same: TensorFlow SAME (timm tf_*, efficientnet_pytorch). */
export type PaddingMode = 'symmetric' | 'same';

export interface EfficientNetConfig {
  variant: EfficientNetVariant | 'custom';
  width: number;
  depth: number;
  resolution: number;
  dropout: number;
  padding: PaddingMode;
  /** stochastic depth: block i of n drops its residual branch with rate·i/n in training */
  dropConnect: number;
  bnEps: number;
  /** PyTorch convention: running = (1 − m)·running + m·batch */
  bnMomentum: number;
  /** a classifier on the pooled feature (0: none, forward returns features only) */
  numClasses: number;
}

/** Round channels to a multiple of 8, never losing more than 10 % (make_divisible / round_filters). */
export function roundChannels(channels: number, width: number, divisor = 8): number {
  const v = channels * width;
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

export function roundRepeats(repeats: number, depth: number): number {
  return Math.ceil(repeats * depth);
}

export function efficientNetConfig(
  variant: EfficientNetVariant | Partial<EfficientNetConfig> & { width: number; depth: number },
  overrides: Partial<EfficientNetConfig> = {},
): EfficientNetConfig {
  const base = typeof variant === 'string' ? { variant, ...COEFFICIENTS[variant] } : { variant: 'custom' as const, resolution: 224, dropout: 0.2, ...variant };
  if (typeof variant === 'string' && !COEFFICIENTS[variant]) throw new Error(`EfficientNet: unknown variant "${variant}" (b0–b4)`);
  return { padding: 'symmetric', dropConnect: 0.2, bnEps: 1e-3, bnMomentum: 0.1, numClasses: 0, ...base, ...overrides };
}

/** One block as built: everything its weights' shapes and its forward depend on. */
export interface BlockSpec {
  stage: number;
  index: number;
  /** position in the flat block list (efficientnet_pytorch numbering, drop-connect schedule) */
  flat: number;
  inChannels: number;
  outChannels: number;
  midChannels: number;
  seChannels: number;
  expand: number;
  kernel: number;
  stride: number;
  skip: boolean;
  dropRate: number;
}

export interface Layout {
  stem: number;
  head: number;
  stages: BlockSpec[][];
}

export function layoutOf(cfg: EfficientNetConfig): Layout {
  const stem = roundChannels(BASE_STEM, cfg.width);
  const stages: BlockSpec[][] = [];
  const total = BASE_STAGES.reduce((n, s) => n + roundRepeats(s.repeats, cfg.depth), 0);
  let inCh = stem;
  let flat = 0;
  BASE_STAGES.forEach((s, si) => {
    const out = roundChannels(s.channels, cfg.width);
    const blocks: BlockSpec[] = [];
    for (let b = 0; b < roundRepeats(s.repeats, cfg.depth); b++) {
      const stride = b === 0 ? s.stride : 1;
      const mid = inCh * s.expand;
      blocks.push({
        stage: si, index: b, flat, inChannels: inCh, outChannels: out, midChannels: mid,
        seChannels: Math.max(1, Math.round(inCh * SE_RATIO)), expand: s.expand, kernel: s.kernel, stride,
        skip: stride === 1 && inCh === out, dropRate: (cfg.dropConnect * flat) / total,
      });
      inCh = out;
      flat++;
    }
    stages.push(blocks);
  });
  return { stem, head: roundChannels(BASE_HEAD, cfg.width), stages };
}

/** Every state tensor's name and shape (timm names, no num_batches_tracked), without a GPU. */
export function stateShapes(cfg: EfficientNetConfig): Map<string, number[]> {
  const L = layoutOf(cfg);
  const m = new Map<string, number[]>();
  const conv = (n: string, o: number, i: number, k: number, bias = false) => {
    m.set(`${n}.weight`, [o, i, k, k]);
    if (bias) m.set(`${n}.bias`, [o]);
  };
  const bn = (n: string, c: number) => {
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) m.set(`${n}.${p}`, [c]);
  };
  conv('conv_stem', L.stem, 3, 3);
  bn('bn1', L.stem);
  for (const blocks of L.stages) {
    for (const b of blocks) {
      const p = `blocks.${b.stage}.${b.index}`;
      const se = () => {
        conv(`${p}.se.conv_reduce`, b.seChannels, b.midChannels, 1, true);
        conv(`${p}.se.conv_expand`, b.midChannels, b.seChannels, 1, true);
      };
      if (b.expand === 1) {
        conv(`${p}.conv_dw`, b.midChannels, 1, b.kernel);
        bn(`${p}.bn1`, b.midChannels);
        se();
        conv(`${p}.conv_pw`, b.outChannels, b.midChannels, 1);
        bn(`${p}.bn2`, b.outChannels);
      } else {
        conv(`${p}.conv_pw`, b.midChannels, b.inChannels, 1);
        bn(`${p}.bn1`, b.midChannels);
        conv(`${p}.conv_dw`, b.midChannels, 1, b.kernel);
        bn(`${p}.bn2`, b.midChannels);
        se();
        conv(`${p}.conv_pwl`, b.outChannels, b.midChannels, 1);
        bn(`${p}.bn3`, b.outChannels);
      }
    }
  }
  conv('conv_head', L.head, L.stages[6].at(-1)!.outChannels, 1);
  bn('bn2', L.head);
  if (cfg.numClasses > 0) {
    m.set('classifier.weight', [cfg.numClasses, L.head]);
    m.set('classifier.bias', [cfg.numClasses]);
  }
  return m;
}
