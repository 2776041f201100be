// One-class SeeABLE training (Node: reads the data folders, writes the run folder).
// Each step: a batch of B faces × 2 views of one soft discrepancy class each → encoder →
// projector → z → L = L_BCR + λ·L_GUI → SAM-SGD (two passes) or SGD/Adam, LR schedule.
// Checkpoints are atomic and a killed run resumes; a NaN/Inf loss stops with the last good one kept.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, restoreCheckpoint, saveCheckpoint } from '../io/checkpoint.ts';
import { readSplit, formatSkipped } from '../io/dataset.ts';
import { lockRunFolder } from '../io/run-lock.ts';
import { decodeImage, jpegRoundTrip } from '../io/images.ts';
import { Adam } from '../nn/optim/adam.ts';
import type { Optimizer } from '../nn/optim/optimizer.ts';
import { SAM } from '../nn/optim/sam.ts';
import { SGD } from '../nn/optim/sgd.ts';
import { constantThenLinearDecay } from '../nn/schedule.ts';
import { add, mul } from '../ops/elementwise.ts';
import { tensor } from '../tensor/create.ts';
import { Rng } from '../tensor/random.ts';
import { tidy } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { cachedSource, oneClassValSet, trainBatch, type Batch, type BatchOptions, type FaceSource } from './batches.ts';
import { recalibrateBatchNorm } from '../nn/precise-bn.ts';
import { curriculumGainAt, validationSeed, type SeeableConfig } from './config.ts';
import { gpuRenderer } from './gpu-render.ts';
import { bcrLoss, guidanceLoss } from './losses.ts';
import type { ScoreContext } from './scorer.ts';
import { classAccuracy } from './score.ts';
import { numTypes } from './discrepancy.ts';
import { oneClassAuc } from './validate.ts';
import { buildSeeable, type SeeableParts } from './setup.ts';
import { describeChanges, recordRunConfig } from './run-config.ts';
import { loadPretrainedEncoder } from './pretrained.ts';
import { ProgressLine } from './progress.ts';

export interface TrainOptions {
  cfg: SeeableConfig;
  runDir: string;
  /** continue from runDir's latest checkpoint when there is one (default true) */
  resume?: boolean;
  log?: (line: string) => void;
  /** the command line, recorded with the config */
  command?: string;
  /** stop after this many steps in this process (tests: simulate an interruption) */
  maxStepsThisRun?: number;
  /** draw the next batch while the GPU runs the step (default true; bench/seeable-train.ts compares) */
  prefetch?: boolean;
}

export interface TrainResult {
  step: number;
  bestValAuc: number | null;
  lastValAuc: number | null;
  checkpoint: string;
  bestCheckpoint: string | null;
  imagesPerSecond: number;
}

interface Metrics {
  step: number;
  loss: number;
  bcr: number;
  gui: number;
  /** nearest-prototype accuracy of this batch's embeddings (train mode, before the update) */
  trainAcc: number;
  trainLocAcc: number;
  /** with the pristine class: pristine-vs-altered accuracy of the batch */
  trainBinaryAcc?: number;
  lr: number;
  /** the curriculum's discrepancy gain of this step's batch (1 = the real strength) */
  gain: number;
  imagesPerSecond: number;
  elapsedS: number;
}

function makeOptimizer(cfg: SeeableConfig, parts: SeeableParts): { base: Optimizer; sam: SAM | null } {
  const params = parts.net.namedParameters();
  if (cfg.optimizer === 'adam') return { base: new Adam(params, { lr: cfg.lr, weightDecay: cfg.weightDecay }), sam: null };
  const base = new SGD(params, { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  return { base, sam: cfg.optimizer === 'sam-sgd' ? new SAM(base, { rho: cfg.rho }) : null };
}

/** The objective on a batch; returns [total, bcr, gui] scalars and the embeddings z. */
export function objective(cfg: SeeableConfig, parts: SeeableParts, x: Tensor, y: Tensor): [Tensor, Tensor, Tensor | null, Tensor] {
  return tidy(() => {
    const { z } = parts.net.embed(x);
    const bcr = bcrLoss(z, y, parts.prototypes, { tau: cfg.tau, form: cfg.bcrForm });
    if (cfg.lambda === 0) return [bcr, bcr, null, z];
    const gui = guidanceLoss(z, y, parts.prototypes, parts.gtable);
    return [add(bcr, mul(gui, cfg.lambda)), bcr, gui, z];
  });
}

export async function trainSeeable(o: TrainOptions): Promise<TrainResult> {
  mkdirSync(o.runDir, { recursive: true });
  const lock = lockRunFolder(o.runDir);
  try {
    return await trainLocked(o);
  } finally {
    lock.release();
  }
}

async function trainLocked(o: TrainOptions): Promise<TrainResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const { cfg, runDir } = o;
  const ckDir = join(runDir, 'checkpoints');
  mkdirSync(ckDir, { recursive: true });
  const resumeFrom = (o.resume ?? true) && existsSync(join(ckDir, 'latest.json')) ? loadCheckpoint(ckDir) : null;
  const resumeChanges = recordRunConfig(runDir, cfg, o.command ?? null, resumeFrom ? resumeFrom.meta.step : null);

  const train = await readSplit(cfg.trainDir, { limit: cfg.trainLimit || undefined, decode: false });
  const val = await readSplit(cfg.valDir, { limit: cfg.valFaces, decode: false });
  for (const s of [train, val]) if (s.skipped.length) log(formatSkipped(s.dir, s.skipped));
  if (!train.entries.length) throw new Error(`${cfg.trainDir}: no usable training faces`);
  log(`[train] ${train.entries.length} training faces, ${val.entries.length} validation faces, ${cfg.backbone} at ${cfg.size}², K = ${cfg.gridRows * cfg.gridCols}×${cfg.types === 'sbi2' ? 2 : 4}${cfg.pristineFraction > 0 ? ` + pristine (${cfg.pristineFraction} of the faces)` : ''}`);

  const parts = buildSeeable(cfg);
  const { base, sam } = makeOptimizer(cfg, parts);
  const dataRng = new Rng(cfg.seed + 1);
  const rngs = { data: dataRng, drop: parts.encoder.dropRng };
  let start = 0;
  let bestAuc: number | null = null;
  if (!resumeFrom && cfg.pretrained) log(`[train] encoder initialised from ${initPretrained(cfg, parts)}`);
  if (resumeFrom) {
    restoreCheckpoint(resumeFrom, { model: parts.net, optimizer: base, rngs });
    start = resumeFrom.meta.step;
    bestAuc = (resumeFrom.meta.info.bestValAuc as number | null) ?? null;
    log(`[train] resumed from ${resumeFrom.path} at step ${start}${resumeChanges ? `, with changed settings: ${describeChanges(resumeChanges.changed)}` : ''}`);
  }
  const schedule = constantThenLinearDecay({ lr: cfg.lr, totalSteps: cfg.steps, constantSteps: Math.round(cfg.steps * cfg.constantFraction) });
  const trainSrc = cachedSource(train.entries, decodeImage);
  const valSrc = cachedSource(val.entries, decodeImage);
  const valSet = await oneClassValSet(valSrc, cfg.valFaces, new Rng(validationSeed(cfg)), { sd: parts.sd, size: cfg.size, renderer: gpuRenderer });
  const ctx: ScoreContext = { net: parts.net, prototypes: parts.prototypesHost, sd: parts.sd, renderer: gpuRenderer, variant: cfg.scoreVariant, alpha: cfg.alpha, seed: cfg.seed, pristine: parts.pristine };
  const metricsPath = join(runDir, 'metrics.jsonl');
  truncateMetrics(metricsPath, start);

  const extra = { prototypes: parts.prototypes };
  let threshold: number | null = (resumeFrom?.meta.info.threshold as number | null) ?? null;
  let thresholds = (resumeFrom?.meta.info.thresholds as Record<string, number> | undefined) ?? null;
  // The next step's batch is drawn while the GPU runs this one (its CPU half — crops, masks — overlaps the
  // step). A checkpoint saves the data RNG as it was before that batch's draws, so a resumed run draws it again.
  let pending: PendingBatch | null = null;
  const dataRngAtStep = () => (pending ? rngFromState(pending.rngState) : dataRng);
  const save = async (step: number, lastAuc: number | null, name?: string) =>
    saveCheckpoint(ckDir, { step, epoch: Math.floor((step * cfg.batchFaces) / train.entries.length), model: parts.net, optimizer: base,
      rngs: { ...rngs, data: dataRngAtStep() }, extra,
      info: { config: cfg, bestValAuc: bestAuc, lastValAuc: lastAuc, threshold, thresholds, K: parts.K } }, name ? { name } : {});
  const draw = (s: number): PendingBatch => {
    const rngState = dataRng.getState();
    const batch = trainBatch(trainSrc, dataRng, batchOptionsOf(cfg, parts, s));
    batch.catch(() => {}); // handled when awaited; a failure must not surface early as an unhandled rejection
    return { rngState, batch };
  };

  const B = cfg.batchFaces;
  const S = cfg.size;
  const progress = new ProgressLine(cfg.steps, start);
  let lastAuc: number | null = (resumeFrom?.meta.info.lastValAuc as number | null) ?? null; // a finished run reports it again
  let lastCkpt = '';
  let bestCkpt: string | null = bestAuc !== null ? join(ckDir, 'best.json') : null;
  const t0 = performance.now();
  let imagesDone = 0;
  const stopAt = Math.min(cfg.steps, start + (o.maxStepsThisRun ?? Infinity));
  let step = start;
  try {
    for (; step < stopAt; step++) {
      const stepStart = performance.now();
      const batch = await (pending ?? draw(step)).batch;
      pending = null;
      const x = tensor(batch.images, [2 * B, 3, S, S]);
      const y = tensor(batch.labels, [2 * B], 'i32');
      base.lr = schedule(step);
      parts.net.train();
      const [loss, bcr, gui, z] = objective(cfg, parts, x, y);
      loss.backward();
      if (sam) {
        sam.firstStep();
        const again = objective(cfg, parts, x, y);
        again[0].backward();
        sam.secondStep();
        for (const t of again) t?.dispose();
      } else {
        base.step();
        base.zeroGrad();
      }
      if (step + 1 < stopAt && (o.prefetch ?? true)) pending = draw(step + 1);
      const values = [await loss.item(), await bcr.item(), gui ? await gui.item() : 0];
      const acc = classAccuracy(await z.readF32(), batch.labels, parts.prototypesHost, parts.K, numTypes(parts.sd), parts.pristine);
      for (const t of [loss, bcr, gui, z, x, y]) t?.dispose();
      if (!values.every(Number.isFinite)) {
        throw new Error(`[train] the loss became ${values[0]} at step ${step + 1}; stopping. The last good checkpoint is ${lastCkpt || 'none (no checkpoint yet)'} — lower the LR or check the data.`);
      }
      imagesDone += 2 * B;
      const m: Metrics = {
        step: step + 1, loss: values[0], bcr: values[1], gui: values[2], trainAcc: acc.class, trainLocAcc: acc.location, ...(acc.binary !== undefined ? { trainBinaryAcc: acc.binary } : {}), lr: base.lr,
        gain: curriculumGainAt(cfg, step),
        imagesPerSecond: (2 * B * 1000) / (performance.now() - stepStart), elapsedS: (performance.now() - t0) / 1000,
      };
      appendFileSync(metricsPath, JSON.stringify(m) + '\n');
      progress.update(step + 1, m.loss, m.imagesPerSecond);
      if ((step + 1) % cfg.logEvery === 0) progress.log(`step ${step + 1}/${cfg.steps} loss ${m.loss.toFixed(4)} (bcr ${m.bcr.toFixed(4)}, gui ${m.gui.toFixed(4)}) acc ${(100 * m.trainAcc).toFixed(0)}% lr ${m.lr.toExponential(2)}${m.gain > 1 ? ` gain ${m.gain.toFixed(2)}` : ''} ${m.imagesPerSecond.toFixed(2)} img/s`, log);
      const last = step + 1 === cfg.steps;
      if ((step + 1) % cfg.valEvery === 0 || last) {
        if (cfg.bnRecalibration > 0) await recalibrate(cfg, parts, trainSrc);
        const v = await oneClassAuc(ctx, valSet);
        lastAuc = v.auc;
        threshold = v.threshold;
        thresholds = v.thresholdByVariant;
        appendFileSync(metricsPath, JSON.stringify({ step: step + 1, valAuc: lastAuc, threshold, valAucByVariant: v.byVariant, valAccuracy: v.accuracy }) + '\n');
        const others = Object.entries(v.byVariant).map(([k, a]) => `${k} ${a.toFixed(3)}`).join(', ');
        const a = v.accuracy;
        const pct = (f: number) => `${(100 * f).toFixed(1)}%`;
        progress.log(`step ${step + 1}: one-class validation AUC ${lastAuc.toFixed(4)} (real val faces vs fresh discrepancies; by score variant: ${others})`, log);
        progress.log(`step ${step + 1}: held-out discrepancy accuracy: class ${pct(a.class)} (chance ${pct(1 / parts.K)}), location ${pct(a.location)} (chance ${pct(1 / parts.sd.scheme.count)}), type ${pct(a.type)} (chance ${pct(1 / numTypes(parts.sd))})${a.binary !== undefined ? `, pristine vs altered ${pct(a.binary)}` : ''}`, log);
        if (bestAuc === null || lastAuc > bestAuc) {
          bestAuc = lastAuc;
          bestCkpt = await save(step + 1, lastAuc, 'best');
        }
      }
      if ((step + 1) % cfg.ckptEvery === 0 || last) lastCkpt = await save(step + 1, lastAuc);
    }
  } finally {
    await pending?.batch.catch(() => {}); // never leave GPU work of this run behind
  }
  if (step > start && !lastCkpt) lastCkpt = await save(step, lastAuc);
  progress.stop();
  const ips = imagesDone / ((performance.now() - t0) / 1000);
  return { step, bestValAuc: bestAuc, lastValAuc: lastAuc, checkpoint: lastCkpt || resumeFrom?.path || join(ckDir, 'latest.json'), bestCheckpoint: bestCkpt, imagesPerSecond: ips };
}

/** The training batches of a config: its size, faces, view pairing and post-augmentation; with a
 *  step, the curriculum's discrepancy gain at that step (without one: gain 1, the test-time strength). */
export function batchOptionsOf(cfg: SeeableConfig, parts: SeeableParts, step?: number): BatchOptions {
  return {
    sd: parts.sd, size: cfg.size, faces: cfg.batchFaces, renderer: gpuRenderer, pairing: cfg.viewPairing,
    postAug: cfg.postAug ? { jpeg: jpegRoundTrip } : null, gain: step === undefined ? 1 : curriculumGainAt(cfg, step),
    pristine: cfg.pristineFraction ?? 0, realShare: cfg.curriculumRealShare ?? 0,
  };
}

/** Load the config's `pretrained` file into the encoder (a fresh run only); returns its description. */
export function initPretrained(cfg: SeeableConfig, parts: SeeableParts): string {
  if (!existsSync(cfg.pretrained)) throw new Error(`${cfg.pretrained}: pretrained encoder weights not found (setting "pretrained")`);
  return loadPretrainedEncoder(parts.encoder, readFileSync(cfg.pretrained), cfg.pretrained);
}

interface PendingBatch {
  /** the data RNG's state before this batch's draws */
  rngState: number[];
  batch: Promise<Batch>;
}

function rngFromState(state: readonly number[]): Rng {
  const r = new Rng(0);
  r.setState(state);
  return r;
}

/** Precise BN before eval-mode use: the same fixed-seed training batches every time (resumable). */
async function recalibrate(cfg: SeeableConfig, parts: SeeableParts, src: FaceSource): Promise<void> {
  const rng = new Rng(cfg.seed + 3);
  const B = cfg.batchFaces;
  await recalibrateBatchNorm(parts.net, {
    batches: cfg.bnRecalibration,
    input: async () => {
      const b = await trainBatch(src, rng, batchOptionsOf(cfg, parts));
      return tensor(b.images, [2 * B, 3, cfg.size, cfg.size]);
    },
    forward: (x) => parts.net.embed(x).z,
  });
}

/** A resumed run rewrites the metrics after its checkpoint's step. */
function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const keep = readFileSync(path, 'utf8').split('\n').filter((l) => l && (JSON.parse(l) as { step: number }).step <= step);
  writeFileSync(path, keep.map((l) => l + '\n').join(''));
}
