// SeeABLE training configuration: defaults from the method spec (§7 [OURS] recipe, section S),
// named presets, and validation of user overrides (a config file plus command-line flags).
import type { EfficientNetVariant } from '../models/efficientnet/config.ts';
import type { ViewPairing } from './batches.ts';
import type { BcrForm } from './losses.ts';
import type { ScoreVariant } from './score.ts';

/** The encoder: EfficientNet B0–B4 (the spec's), or MobileNet-V1 (pretrained face features: `pretrained`). */
export type Backbone = EfficientNetVariant | 'mobilenet-v1';

export interface SeeableConfig {
  /** encoder */
  backbone: Backbone;
  /** safetensors file with pretrained encoder weights loaded when a run starts ('' = from scratch):
   *  EfficientNet weights from `seeable convert`, or for mobilenet-v1 weights/ssd-mobilenet-v1.safetensors */
  pretrained: string;
  /** TF "SAME" padding as efficientnet_pytorch (SBI, SeeABLE) or PyTorch's symmetric padding */
  padding: 'same' | 'symmetric';
  /** model input side in pixels */
  size: number;
  /** embedding dimension d; the projector's hidden width (0 = the encoder's feature count) */
  dim: number;
  hidden: number;
  /** grid of locations (rows × cols) and the type set (N_type = 2 per section S) */
  gridRows: number;
  gridCols: number;
  types: 'sbi2' | 'ext4';
  /** faces per step B; each gives V = 2 views of one (location, type) class (§3.4) */
  batchFaces: number;
  /** view 2 of a pair: the same face (§3.4 [OURS]) or another face with the same class */
  viewPairing: ViewPairing;
  /** discrepancy-strength curriculum: training discrepancies start `curriculumGain` times stronger
   *  (X' = I + a·(X − I)) and the gain falls linearly to 1 over the first `curriculumFraction` of the
   *  steps; 1 = off (the method). Validation and scoring always use gain 1. */
  curriculumGain: number;
  curriculumFraction: number;
  /** the gain the curriculum ends at and holds (1 = the real strength); validation and scoring stay at 1 */
  curriculumFloor: number;
  /** share of a batch's faces shown at the real strength (gain 1) while the curriculum amplifies the
   *  others, so that real-strength discrepancies are in the mix from the first step; 0 = none (0.5 stopped
   *  the network learning even the amplified ones: docs/method-departures.md) */
  curriculumRealShare: number;
  /** spec §8.3 mode (b): > 0 adds a pristine class (its own prototype, after the K discrepancy
   *  classes) and this fraction of a batch's faces are shown unaltered with that label; 0 = mode (a) */
  pristineFraction: number;
  steps: number;
  /** fraction of the steps at the full LR before the linear decay to 0 (SBI: 75 of 100 epochs) */
  constantFraction: number;
  optimizer: 'sam-sgd' | 'sgd' | 'adam';
  lr: number;
  momentum: number;
  rho: number;
  weightDecay: number;
  /** BCR temperature, form (section S or the official code), and the guidance weight λ */
  tau: number;
  bcrForm: BcrForm;
  lambda: number;
  /** drop-connect rate of the encoder (timm: 0.2) */
  dropConnect: number;
  /** post-augmentation of the rendered discrepancies (RGB shift, HSV, brightness/contrast, JPEG) */
  postAug: boolean;
  /** the anomaly score (section S default: norm-cos with α = 1) */
  scoreVariant: ScoreVariant;
  alpha: number;
  seed: number;
  /** data */
  trainDir: string;
  valDir: string;
  /** use only the first N training faces (0 = all) */
  trainLimit: number;
  /** faces of the one-class validation (real vs freshly generated discrepancies) */
  valFaces: number;
  valEvery: number;
  /** batches of training discrepancies that recompute the BN running statistics before each
   *  validation (and so in every checkpoint scored), src/nn/precise-bn.ts; 0 = keep the EMA */
  bnRecalibration: number;
  ckptEvery: number;
  logEvery: number;
}

export const DEFAULTS: SeeableConfig = {
  backbone: 'b4',
  pretrained: '',
  padding: 'same',
  size: 380,
  dim: 128,
  hidden: 0,
  gridRows: 4,
  gridCols: 4,
  types: 'sbi2',
  batchFaces: 16,
  viewPairing: 'same-face',
  curriculumGain: 1,
  curriculumFraction: 0.5,
  curriculumFloor: 1,
  curriculumRealShare: 0,
  pristineFraction: 0,
  steps: 36_000, // §7: 100 epochs × 360 steps
  constantFraction: 0.75,
  optimizer: 'sam-sgd',
  lr: 1e-3,
  momentum: 0.9,
  rho: 0.05,
  weightDecay: 0,
  tau: 0.07,
  bcrForm: 'spec',
  lambda: 0.1,
  dropConnect: 0.2,
  postAug: true,
  scoreVariant: 'norm-cos',
  alpha: 1,
  seed: 5,
  trainDir: '../shared/data/train',
  valDir: '../shared/data/val',
  trainLimit: 0,
  valFaces: 64,
  valEvery: 1000,
  bnRecalibration: 8,
  ckptEvery: 200,
  logEvery: 10,
};

/** The stream the one-class validation draws its discrepancies from (the trainer's and `seeable validate`'s). */
export const validationSeed = (cfg: Pick<SeeableConfig, 'seed'>): number => cfg.seed + 2;

/** The small from-scratch CPU recipe (B0 at 64², 2×2 grid, two-face pairs, strength curriculum) the presets share. */
const CPU_BASE: Partial<SeeableConfig> = {
  backbone: 'b0', size: 64, batchFaces: 8, optimizer: 'adam', lr: 1e-3, dropConnect: 0,
  hidden: 256, trainLimit: 2000, valFaces: 32, ckptEvery: 20, logEvery: 10,
  gridRows: 2, gridCols: 2, viewPairing: 'two-faces', postAug: false,
};

/** Named starting points; flags and config files override them. */
export const PRESETS: Record<string, Partial<SeeableConfig>> = {
  /** the paper-scale recipe (§7): B4 at 380², SAM-SGD, 100 epochs — for GPU machines */
  paper: {},
  /** the README's main job on a CPU adapter (about 25 minutes here): 1200 steps, curriculum 4.5× → 1 over
   *  the first 70 %, so that the last 360 steps train at the real strength; max-cos score, which the
   *  one-class validation prefers at this budget (docs/method-departures.md, "A main job off chance") */
  quick: { ...CPU_BASE, steps: 1200, valEvery: 200, curriculumGain: 4.5, curriculumFraction: 0.7, scoreVariant: 'max-cos' },
  /** 4000 steps, curriculum 6× → 1 over the first 3000 (runs/long-a: 87 minutes, one-class AUC 0.676 on
   *  all 564 val faces; docs/method-departures.md, "A longer curriculum") */
  long: { ...CPU_BASE, steps: 4000, valEvery: 250, curriculumGain: 6, curriculumFraction: 0.75 },
  /** a few steps, for tests */
  tiny: {
    backbone: 'b0', size: 32, batchFaces: 2, steps: 3, optimizer: 'sam-sgd', hidden: 32, dim: 32,
    gridRows: 2, gridCols: 2, trainLimit: 8, valFaces: 2, valEvery: 3, ckptEvery: 2, logEvery: 1, postAug: false, bnRecalibration: 1,
  },
};

const ENUMS: Partial<Record<keyof SeeableConfig, readonly string[]>> = {
  backbone: ['b0', 'b1', 'b2', 'b3', 'b4', 'mobilenet-v1'],
  padding: ['same', 'symmetric'],
  types: ['sbi2', 'ext4'],
  optimizer: ['sam-sgd', 'sgd', 'adam'],
  viewPairing: ['same-face', 'two-faces'],
  bcrForm: ['spec', 'code'],
  scoreVariant: ['norm-cos', 'max-cos', 'hit-rate', 'pristine-margin'],
};

/** Merge overrides (strings from the command line are converted by the default's type). */
export function resolveConfig(preset: string, ...layers: Record<string, unknown>[]): SeeableConfig {
  const base = PRESETS[preset];
  if (!base) throw new Error(`Unknown preset "${preset}" (have: ${Object.keys(PRESETS).join(', ')})`);
  const cfg: Record<string, unknown> = { ...DEFAULTS, ...base };
  for (const layer of layers) {
    for (const [key, raw] of Object.entries(layer)) {
      if (raw === undefined) continue;
      if (!(key in DEFAULTS)) throw new Error(`Unknown setting "${key}"`);
      const def = (DEFAULTS as unknown as Record<string, unknown>)[key];
      let v: unknown = raw;
      if (typeof def === 'number') {
        v = typeof raw === 'string' ? Number(raw) : raw;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`Setting "${key}" must be a number, got ${JSON.stringify(raw)}`);
      } else if (typeof def === 'boolean') {
        v = raw === 'true' ? true : raw === 'false' ? false : raw;
        if (typeof v !== 'boolean') throw new Error(`Setting "${key}" must be true or false, got ${JSON.stringify(raw)}`);
      } else if (typeof v !== 'string') {
        throw new Error(`Setting "${key}" must be a string, got ${JSON.stringify(raw)}`);
      }
      const allowed = ENUMS[key as keyof SeeableConfig];
      if (allowed && !allowed.includes(v as string)) throw new Error(`Setting "${key}" must be one of ${allowed.join(', ')}, got "${v}"`);
      cfg[key] = v;
    }
  }
  const c = cfg as unknown as SeeableConfig;
  if (!(c.pristineFraction >= 0 && c.pristineFraction < 1)) throw new Error(`Setting "pristineFraction" must be in [0, 1) (0 = no pristine class), got ${c.pristineFraction}`);
  if (c.scoreVariant === 'pristine-margin' && !hasPristine(c)) throw new Error('Setting "scoreVariant" = "pristine-margin" needs the pristine class: set pristineFraction > 0');
  const K = c.gridRows * c.gridCols * (c.types === 'sbi2' ? 2 : 4) + (hasPristine(c) ? 1 : 0);
  if (K > c.dim + 1) throw new Error(`K = ${K} classes need an embedding dimension of at least ${K - 1} (dim = ${c.dim})`);
  if (c.size < 32 || c.size % 2) throw new Error(`size ${c.size} must be an even number ≥ 32`);
  for (const k of ['batchFaces', 'steps', 'valFaces', 'valEvery', 'ckptEvery', 'logEvery'] as const) {
    if (!(Number.isInteger(c[k]) && c[k] > 0)) throw new Error(`Setting "${k}" must be a positive integer, got ${c[k]}`);
  }
  if (!(c.curriculumGain >= 1)) throw new Error(`Setting "curriculumGain" must be ≥ 1 (1 = off), got ${c.curriculumGain}`);
  if (!(c.curriculumFloor >= 1 && c.curriculumFloor <= c.curriculumGain)) throw new Error(`Setting "curriculumFloor" must be in [1, curriculumGain = ${c.curriculumGain}], got ${c.curriculumFloor}`);
  if (!(c.curriculumRealShare >= 0 && c.curriculumRealShare <= 1)) throw new Error(`Setting "curriculumRealShare" must be in [0, 1], got ${c.curriculumRealShare}`);
  if (!(c.curriculumFraction > 0 && c.curriculumFraction <= 1)) throw new Error(`Setting "curriculumFraction" must be in (0, 1], got ${c.curriculumFraction}`);
  if (!(Number.isInteger(c.bnRecalibration) && c.bnRecalibration >= 0)) throw new Error(`Setting "bnRecalibration" must be a non-negative integer, got ${c.bnRecalibration}`);
  return c;
}

/** Mode (b) of spec §8.3: a pristine class. Checkpoints written before the option have no key. */
export const hasPristine = (cfg: Pick<SeeableConfig, 'pristineFraction'>) => (cfg.pristineFraction ?? 0) > 0;

/** The curriculum's discrepancy gain at a step (0-based): linear from curriculumGain down to
 *  curriculumFloor (1 unless set; configs saved before the setting have none). */
export function curriculumGainAt(cfg: SeeableConfig, step: number): number {
  const span = cfg.curriculumFraction * cfg.steps;
  const floor = cfg.curriculumFloor ?? 1;
  return floor + (cfg.curriculumGain - floor) * Math.max(0, 1 - step / span);
}
