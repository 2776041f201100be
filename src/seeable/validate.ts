// One-class validation while training (never fakes): real val faces vs freshly generated
// discrepancies of them, scored by every score variant; and, from the same K embeddings of each
// real face, the held-out class accuracy (nearest prototype = own class): the direct signal.
// With the pristine class, the unaltered faces are embedded too: the 'pristine-margin' score, and
// the real faces count in the accuracy as class K.
import type { oneClassValSet } from './batches.ts';
import { numClasses, numTypes } from './discrepancy.ts';
import { equalErrorRate, rocAuc } from './metrics.ts';
import { classAccuracy, prototypeRows, type ClassAccuracy } from './score.ts';
import { allScores, embedFace, embedImages, scoreKey, type ScoreContext } from './scorer.ts';

export interface OneClassResult {
  auc: number;
  /** the equal-error threshold between the two: the detector's calibrated decision threshold */
  threshold: number;
  real: number[];
  altered: number[];
  /** the AUC every score variant would give (the configured one is `auc`) */
  byVariant: Record<string, number>;
  /** each variant's equal-error threshold, so that scoring with another variant still has a decision */
  thresholdByVariant: Record<string, number>;
  /** nearest-prototype accuracy on the real faces' K discrepancies (held out: val faces) */
  accuracy: ClassAccuracy;
}

/** One-class validation: AUC of the score between real val crops and fresh discrepancies of them. */
export async function oneClassAuc(ctx: ScoreContext, val: Awaited<ReturnType<typeof oneClassValSet>>, progress?: (done: number, total: number) => void): Promise<OneClassResult> {
  const sides = { real: [] as Record<string, number>[], altered: [] as Record<string, number>[] };
  const K = numClasses(ctx.sd);
  const realEmbeddings: Float32Array[] = [];
  const n = val.real.length;
  const size = val.crops[0]?.image.width ?? 0;
  // the unaltered images themselves (real, then altered), batched: only the pristine score uses them
  const raw = ctx.pristine ? await embedImages(ctx.net, [...val.real, ...val.altered].map((x) => x.data), size) : null;
  const d = ctx.prototypes.length / prototypeRows(K, ctx.pristine ?? false);
  const rawOf = (j: number) => raw?.subarray(j * d, (j + 1) * d);
  for (let i = 0; i < n; i++) {
    const c = val.crops[i];
    const face = { landmarks: c.landmarks, size: c.image.width, wideRatio: c.wideRatio, scale: c.scale };
    const h = await embedFace(ctx, { ...face, image: val.real[i] }, i);
    realEmbeddings.push(h);
    sides.real.push(allScores(h, ctx, rawOf(i)));
    sides.altered.push(allScores(await embedFace(ctx, { ...face, image: val.altered[i] }, i), ctx, rawOf(n + i)));
    progress?.(i + 1, n);
  }
  const key = scoreKey(ctx.variant, ctx.alpha);
  const real = sides.real.map((s) => s[key]);
  const altered = sides.altered.map((s) => s[key]);
  const variants = Object.keys(sides.real[0] ?? {});
  const column = (v: string) => [sides.real.map((s) => s[v]), sides.altered.map((s) => s[v])] as const;
  const byVariant = Object.fromEntries(variants.map((v) => [v, rocAuc(...column(v))]));
  const thresholdByVariant = Object.fromEntries(variants.map((v) => [v, equalErrorRate(...column(v)).threshold]));
  // the real faces' K discrepancies (class k), and with the pristine class the real faces (class K)
  const rows = ctx.pristine && raw ? [...realEmbeddings, raw.subarray(0, n * d)] : realEmbeddings;
  const all = new Float32Array(rows.reduce((s, h) => s + h.length, 0));
  let at = 0;
  for (const h of rows) (all.set(h, at), (at += h.length));
  const labels = Array.from({ length: n * K }, (_, i) => i % K);
  if (ctx.pristine) labels.push(...new Array<number>(n).fill(K));
  const accuracy = classAccuracy(all, labels, ctx.prototypes, K, numTypes(ctx.sd), ctx.pristine);
  return { auc: rocAuc(real, altered), threshold: equalErrorRate(real, altered).threshold, real, altered, byVariant, thresholdByVariant, accuracy };
}

