// Test-time scoring (section S): each face gets all K soft discrepancies (seeded per face, so a
// score is reproducible), the network embeds them in eval mode, and scoreFace() turns the K
// projections into the anomaly score with its per-class and per-location breakdown. With the
// pristine class (§8.3 mode (b)) the 'pristine-margin' score embeds the unaltered face alone.
import { tensor } from '../tensor/create.ts';
import { Rng } from '../tensor/random.ts';
import { tidy } from '../tensor/scope.ts';
import { noGrad } from '../tensor/tape.ts';
import { makeDiscrepancies, numClasses, numTypes, type SdConfig, type SdFace, type SdRenderer } from './discrepancy.ts';
import type { SeeableNet } from './model.ts';
import { perLocation, pristineMargin, scoreFace, type FaceScore, type ScoreVariant } from './score.ts';

export interface ScoreContext {
  net: SeeableNet;
  /** prototypes on the host, [P·d]: P = K, or K + 1 with the pristine class (its row last) */
  prototypes: Float32Array;
  /** the model has the pristine class of §8.3 mode (b) */
  pristine?: boolean;
  sd: SdConfig;
  renderer: SdRenderer;
  variant: ScoreVariant;
  alpha: number;
  /** images per forward pass */
  chunk?: number;
  /** base seed of the per-face discrepancy streams */
  seed?: number;
}

export interface ScoredFace extends FaceScore {
  perLocation: number[];
}

/** Embeddings h [n, d] of a list of same-size images, eval mode, no graph. */
export async function embedImages(net: SeeableNet, images: readonly Float32Array[], size: number, chunk = 16): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  net.eval();
  for (let i = 0; i < images.length; i += chunk) {
    const n = Math.min(chunk, images.length - i);
    const host = new Float32Array(n * 3 * size * size);
    for (let j = 0; j < n; j++) host.set(images[i + j], j * 3 * size * size);
    const h = noGrad(() => tidy(() => {
      const x = tensor(host, [n, 3, size, size]);
      return net.embed(x).h;
    }));
    parts.push(await h.readF32());
    h.dispose();
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** The K projections [K·d] of one face's K discrepancies (`key` seeds them: use a stable face id). */
export async function embedFace(ctx: ScoreContext, face: SdFace, key: number): Promise<Float32Array> {
  const K = numClasses(ctx.sd);
  const labels = Array.from({ length: K }, (_, k) => k);
  const rng = new Rng(((ctx.seed ?? 0x5eab1e) ^ Math.imul(key + 1, 0x9e3779b1)) >>> 0);
  const sds = await makeDiscrepancies(face, labels, rng, ctx.sd, ctx.renderer);
  return embedImages(ctx.net, sds.map((s) => s.image.data), face.size, ctx.chunk);
}

/** The score of one face: from its K discrepancies, or ('pristine-margin') from the face itself. */
export async function scoreOne(ctx: ScoreContext, face: SdFace, key: number): Promise<ScoredFace> {
  const K = numClasses(ctx.sd);
  let s: FaceScore;
  if (ctx.variant === 'pristine-margin') {
    if (!ctx.pristine) throw new Error('score variant "pristine-margin" needs a model trained with the pristine class (pristineFraction > 0)');
    s = pristineMargin(await embedImages(ctx.net, [face.image.data], face.size), ctx.prototypes, K);
  } else {
    s = scoreFace(await embedFace(ctx, face, key), ctx.prototypes, K, { variant: ctx.variant, alpha: ctx.alpha, pristine: ctx.pristine });
  }
  return { ...s, perLocation: perLocation(s.perClass, numTypes(ctx.sd)) };
}

/** The allScores() key of a configured score: norm-cos with α = 0 is listed as 'cos'. */
export const scoreKey = (variant: ScoreVariant, alpha: number): string => (variant === 'norm-cos' && alpha === 0 ? 'cos' : variant);

/** Every score variant (and α = 0 for norm-cos) of one face's embeddings, for model selection;
 *  `raw`, the unaltered face's projection, adds 'pristine-margin' (pristine-class models only). */
export function allScores(h: Float32Array, ctx: ScoreContext, raw?: Float32Array): Record<string, number> {
  const K = numClasses(ctx.sd);
  const pristine = ctx.pristine ?? false;
  const out: Record<string, number> = {
    'norm-cos': scoreFace(h, ctx.prototypes, K, { variant: 'norm-cos', alpha: ctx.alpha, pristine }).score,
    'cos': scoreFace(h, ctx.prototypes, K, { variant: 'norm-cos', alpha: 0, pristine }).score,
    'max-cos': scoreFace(h, ctx.prototypes, K, { variant: 'max-cos', pristine }).score,
    'hit-rate': scoreFace(h, ctx.prototypes, K, { variant: 'hit-rate', pristine }).score,
  };
  if (pristine && raw) out['pristine-margin'] = pristineMargin(raw, ctx.prototypes, K).score;
  return out;
}
