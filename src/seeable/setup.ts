// Builds everything a SeeABLE run or a scoring session needs from a config: the discrepancy
// generator's settings, the network, the fixed prototypes and the guidance table.
import { EfficientNet } from '../models/efficientnet/model.ts';
import { MobileNetV1Encoder } from '../models/mobilenet/mobilenet-v1.ts';
import { tensor } from '../tensor/create.ts';
import { Rng } from '../tensor/random.ts';
import { keep } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { hasPristine, type SeeableConfig } from './config.ts';
import { numClasses, numTypes, type SdConfig } from './discrepancy.ts';
import { gridScheme } from './locations.ts';
import { guidanceTable } from './losses.ts';
import { SeeableNet } from './model.ts';
import { makePrototypes } from './prototypes.ts';

export interface SeeableParts {
  sd: SdConfig;
  /** discrepancy classes N_loc × N_type */
  K: number;
  /** spec §8.3 mode (b): prototype row K is the pristine class (the prototypes are [K + 1, d]) */
  pristine: boolean;
  net: SeeableNet;
  encoder: EfficientNet | MobileNetV1Encoder;
  /** [P, d] on the GPU and on the host (P = K, or K + 1 with the pristine class) */
  prototypes: Tensor;
  prototypesHost: Float32Array;
  /** [P, P] guidance weights G(answer, truth) */
  gtable: Tensor;
}

export function sdConfigOf(cfg: SeeableConfig): SdConfig {
  return { scheme: gridScheme(cfg.gridRows, cfg.gridCols), types: cfg.types };
}

/** Prototype seed: derived from the run seed, stored in every checkpoint anyway. */
export const prototypeSeed = (cfg: SeeableConfig) => (cfg.seed * 7919 + 17) >>> 0;

export function buildSeeable(cfg: SeeableConfig, opts: { prototypes?: Float32Array } = {}): SeeableParts {
  const sd = sdConfigOf(cfg);
  const K = numClasses(sd);
  const init = new Rng(cfg.seed);
  const encoder = cfg.backbone === 'mobilenet-v1'
    ? new MobileNetV1Encoder({ rng: init.fork(), dropRng: init.fork() })
    : new EfficientNet(cfg.backbone, { rng: init.fork(), dropRng: init.fork(), padding: cfg.padding, dropConnect: cfg.dropConnect });
  const net = new SeeableNet(encoder, encoder.numFeatures, { dim: cfg.dim, hidden: cfg.hidden, rng: init.fork() });
  const pristine = hasPristine(cfg);
  const P = pristine ? K + 1 : K;
  const host = opts.prototypes ?? Float32Array.from(makePrototypes(P, cfg.dim, prototypeSeed(cfg)));
  if (host.length !== P * cfg.dim) throw new Error(`prototypes: ${host.length} values, expected ${P}·d = ${P}·${cfg.dim}${pristine ? ' (K + 1 with the pristine class)' : ''}`);
  const prototypes = keep(tensor(host, [P, cfg.dim]));
  const gtable = keep(tensor(guidanceTable(sd.scheme, numTypes(sd), pristine), [P, P]));
  return { sd, K, pristine, net, encoder, prototypes, prototypesHost: host, gtable };
}
