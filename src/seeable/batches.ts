// Training batches (method spec §3.4): B real faces, each given one class k = (location, type)
// drawn uniformly, rendered twice with every other random parameter redrawn (V = 2 views).
// Rows are view-major: the first B rows are view 1 of every face, the next B view 2.
import type { FaceEntry } from '../io/dataset.ts';
import type { Rng } from '../tensor/random.ts';
import { prepareFace, type PreparedFace } from './crop.ts';
import { makeDiscrepancies, makeDiscrepancyBatch, numClasses, type SdConfig, type SdRenderer } from './discrepancy.ts';
import type { ChwImage, RgbImage } from './image.ts';
import { applyPostAug, samplePostAug, type JpegCodec } from './post-augment.ts';

export interface FaceSource {
  readonly entries: readonly FaceEntry[];
  /** decoded RGB pixels of entry i */
  load(i: number): Promise<RgbImage>;
}

/** Decoded images kept in memory up to a byte budget (the data set's faces are small). */
export function cachedSource(entries: readonly FaceEntry[], decode: (path: string) => Promise<RgbImage>, budgetBytes = 2 ** 30): FaceSource {
  const cache = new Map<number, RgbImage>();
  let bytes = 0;
  return {
    entries,
    async load(i: number) {
      const hit = cache.get(i);
      if (hit) return hit;
      const img = await decode(entries[i].path);
      if (bytes + img.data.byteLength <= budgetBytes) {
        cache.set(i, img);
        bytes += img.data.byteLength;
      }
      return img;
    },
  };
}

export interface Batch {
  /** [2B, 3, S, S] row-major, values in [0, 1] */
  images: Float32Array;
  /** [2B] class of each row */
  labels: Int32Array;
  /** the faces' indices in the source, view 1 order */
  faces: number[];
  /** the discrepancy gain each face was shown at (1 = the real strength) */
  gains: number[];
}

export interface BatchOptions {
  sd: SdConfig;
  size: number;
  faces: number;
  renderer: SdRenderer;
  /** post-augmentation (JPEG through this codec); omitted = none */
  postAug?: { jpeg: JpegCodec } | null;
  /** where view 2 comes from (default 'same-face') */
  pairing?: ViewPairing;
  /** discrepancy gain a ≥ 1 (curriculum): X' = clip(I + a·(X − I)) before the post-augmentation; default 1 */
  gain?: number;
  /** with gain > 1: each face is, with this probability, shown at the real strength (gain 1) instead, so
   *  the curriculum mixes real-strength discrepancies in from the start; 0 or omitted = none */
  realShare?: number;
  /** spec §8.3 mode (b): each face is, with this probability, shown unaltered with the pristine label K
   *  (both views; no discrepancy); 0 or omitted = no pristine class */
  pristine?: number;
}

export type ViewPairing = 'same-face' | 'two-faces';

export function sdFace(p: PreparedFace, size: number) {
  return { image: p.image, landmarks: p.landmarks, size, wideRatio: p.wideRatio, scale: p.scale };
}

/**
 * One training batch; all randomness from `rng` (same state → same batch). Every row pair shares one
 * class k; 'same-face' renders both views from one face (§3.4 [OURS]), 'two-faces' takes view 2 from
 * another face, so the only thing the two positives share is the discrepancy (docs/method-departures.md).
 * With a pristine fraction, a face drawn pristine keeps its crop unaltered (label K) and goes through
 * the same crop randomness and post-augmentation as the others, so only the discrepancy tells them apart.
 * All discrepancies of the batch are rendered in one renderer call.
 */
export async function trainBatch(src: FaceSource, rng: Rng, o: BatchOptions): Promise<Batch> {
  const K = numClasses(o.sd);
  const S = o.size;
  const B = o.faces;
  const n = src.entries.length;
  const twoFaces = (o.pairing ?? 'same-face') === 'two-faces';
  if (twoFaces && n < 2) throw new Error('trainBatch: view pairing "two-faces" needs at least 2 training faces');
  const pristine = o.pristine ?? 0;
  if (!(pristine >= 0 && pristine < 1)) throw new Error(`trainBatch: the pristine fraction must be in [0, 1), got ${pristine}`);
  const plane = 3 * S * S;
  const images = new Float32Array(2 * B * plane);
  const labels = new Int32Array(2 * B);
  const gain = o.gain ?? 1;
  if (!(gain >= 1)) throw new Error(`trainBatch: gain must be ≥ 1, got ${gain}`);
  const realShare = gain > 1 ? (o.realShare ?? 0) : 0;
  if (!(realShare >= 0 && realShare <= 1)) throw new Error(`trainBatch: the real-strength share must be in [0, 1], got ${realShare}`);
  const faces: number[] = [];
  const atRealStrength: boolean[] = [];
  const requests: { face: ReturnType<typeof sdFace>; labels: number[] }[] = [];
  for (let b = 0; b < B; b++) {
    const i = rng.int(n);
    // (the extra draw only when the option is on keeps mode (a) batches bit-identical)
    const k = pristine > 0 && rng.uniform() < pristine ? K : rng.int(K);
    faces.push(i);
    labels[b] = labels[B + b] = k;
    atRealStrength.push(realShare > 0 && rng.uniform() < realShare);
    const picks = twoFaces ? [i, (i + 1 + rng.int(n - 1)) % n] : [i];
    for (const f of picks) {
      const prepared = prepareFace(await src.load(f), src.entries[f].landmarks, { size: S, phase: 'train', rng });
      const views = twoFaces ? [k] : [k, k];
      requests.push({ face: sdFace(prepared, S), labels: k === K ? [] : views });
    }
  }
  // Rendered views in request order; a pristine request's views are its crop itself.
  const toRender = requests.filter((r) => r.labels.length);
  const batchOut = toRender.length ? await makeDiscrepancyBatch(toRender, rng, o.sd, o.renderer) : [];
  const rendered: ChwImage[] = [];
  let next = 0;
  for (const r of requests) {
    if (r.labels.length) rendered.push(...batchOut[next++].map((x) => x.image));
    else rendered.push(...Array.from({ length: twoFaces ? 1 : 2 }, () => r.face.image));
  }
  for (let b = 0; b < B; b++) {
    for (let v = 0; v < 2; v++) {
      const face = requests[twoFaces ? 2 * b + v : b].face.image;
      const view = rendered[2 * b + v];
      let out: ChwImage = gain === 1 || labels[b] === K || atRealStrength[b] ? view : amplify(face, view, gain);
      if (o.postAug) out = await applyPostAug(out, samplePostAug(rng), o.postAug.jpeg);
      images.set(out.data, (v * B + b) * plane);
    }
  }
  const gains = atRealStrength.map((real, b) => (real || labels[b] === K ? 1 : gain));
  return { images, labels, faces, gains };
}

/** I + a·(X − I), clipped to [0, 1]: the same discrepancy, a times stronger. */
export function amplify(original: ChwImage, altered: ChwImage, gain: number): ChwImage {
  const data = new Float32Array(altered.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = original.data[i] + gain * (altered.data[i] - original.data[i]);
    data[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { ...altered, data };
}

/**
 * The one-class validation set: for each val face, its real test-time crop and one freshly
 * generated discrepancy of it (a random class), both scored by the section-S score. Never fakes.
 */
export async function oneClassValSet(src: FaceSource, count: number, rng: Rng, o: Omit<BatchOptions, 'faces' | 'postAug'>): Promise<{ real: ChwImage[]; altered: ChwImage[]; crops: PreparedFace[] }> {
  const K = numClasses(o.sd);
  const real: ChwImage[] = [];
  const altered: ChwImage[] = [];
  const crops: PreparedFace[] = [];
  const n = Math.min(count, src.entries.length);
  for (let i = 0; i < n; i++) {
    const img = await src.load(i);
    const p = prepareFace(img, src.entries[i].landmarks, { size: o.size, phase: 'test' });
    const [sd] = await makeDiscrepancies(sdFace(p, o.size), [rng.int(K)], rng, o.sd, o.renderer);
    real.push(p.image);
    altered.push(sd.image);
    crops.push(p);
  }
  return { real, altered, crops };
}
