// One-class validation while training (never fakes): real val faces vs freshly generated
// discrepancies of them, scored by every score variant; and, from the same K embeddings of each
// real face, the held-out class accuracy (nearest prototype = own class): the direct signal.
import type { oneClassValSet } from './batches.ts';
import { numClasses, numTypes } from './discrepancy.ts';
import { equalErrorRate, rocAuc } from './metrics.ts';
import { classAccuracy, type ClassAccuracy } from './score.ts';
import { allScores, embedFace, type ScoreContext } from './scorer.ts';

export interface OneClassResult {
  auc: number;
  /** the equal-error threshold between the two: the detector's calibrated decision threshold */
  threshold: number;
  real: number[];
  altered: number[];
  /** the AUC every score variant would give (the configured one is `auc`) */
  byVariant: Record<string, number>;
  /** nearest-prototype accuracy on the real faces' K discrepancies (held out: val faces) */
  accuracy: ClassAccuracy;
}

/** One-class validation: AUC of the score between real val crops and fresh discrepancies of them. */
export async function oneClassAuc(ctx: ScoreContext, val: Awaited<ReturnType<typeof oneClassValSet>>): Promise<OneClassResult> {
  const sides = { real: [] as Record<string, number>[], altered: [] as Record<string, number>[] };
  const K = numClasses(ctx.sd);
  const realEmbeddings: Float32Array[] = [];
  for (let i = 0; i < val.real.length; i++) {
    const c = val.crops[i];
    const face = { landmarks: c.landmarks, size: c.image.width, wideRatio: c.wideRatio, scale: c.scale };
    const h = await embedFace(ctx, { ...face, image: val.real[i] }, i);
    realEmbeddings.push(h);
    sides.real.push(allScores(h, ctx));
    sides.altered.push(allScores(await embedFace(ctx, { ...face, image: val.altered[i] }, i), ctx));
  }
  const key = ctx.variant === 'norm-cos' && ctx.alpha === 0 ? 'cos' : ctx.variant;
  const real = sides.real.map((s) => s[key]);
  const altered = sides.altered.map((s) => s[key]);
  const byVariant = Object.fromEntries(Object.keys(sides.real[0] ?? {}).map((v) => [v, rocAuc(sides.real.map((s) => s[v]), sides.altered.map((s) => s[v]))]));
  const all = new Float32Array(realEmbeddings.reduce((s, h) => s + h.length, 0));
  realEmbeddings.forEach((h, i) => all.set(h, i * h.length));
  const labels = Array.from({ length: realEmbeddings.length * K }, (_, i) => i % K);
  const accuracy = classAccuracy(all, labels, ctx.prototypes, K, numTypes(ctx.sd));
  return { auc: rocAuc(real, altered), threshold: equalErrorRate(real, altered).threshold, real, altered, byVariant, accuracy };
}

