// Soft discrepancies (method spec section S and §3.2): for a prepared face crop and a class
// k = loc·N_type + type, draw every random parameter from the engine Rng (plain data: an SdPlan),
// build the soft mask of that location on the CPU, and render
//   altered = Type(img);  (source, target) = swap ? (img, altered) : (altered, img)
//   X = M ⊙ warp(source) + (1 − M) ⊙ target
// through a renderer: the CPU reference here, or the GPU one (src/seeable/gpu-render.ts).
import type { Rng } from '../tensor/random.ts';
import { applyStepsCpu, sampleSteps, TYPE_NAMES, type Step, type TypeSet } from './alterations.ts';
import { blendImages, mapPlanes, warpPlane } from './cpu-image.ts';
import type { ChwImage } from './image.ts';
import type { Landmarks } from './landmarks.ts';
import { gridScheme, type LocationScheme } from './locations.ts';
import { sampleMaskParams, softMask, type CropUnits, type MaskParams } from './soft-mask.ts';

export interface SdConfig {
  scheme: LocationScheme;
  types: TypeSet;
  /** the source affine's scale range; SeeABLE's [0.98, 1.02] by default */
  affineScale?: [number, number];
  /** probability that the altered copy is the target instead of the source (SBI: 0.5) */
  swapProb?: number;
}

export const defaultSdConfig = (): SdConfig => ({ scheme: gridScheme(4, 4), types: 'sbi2' });

export const numTypes = (cfg: SdConfig) => TYPE_NAMES[cfg.types].length;
export const numClasses = (cfg: SdConfig) => cfg.scheme.count * numTypes(cfg);

/** Class index of (location, type): k = loc·N_type + type. */
export function classOf(loc: number, type: number, nTypes: number): number {
  return loc * nTypes + type;
}

export function splitClass(k: number, nTypes: number): { loc: number; type: number } {
  return { loc: Math.floor(k / nTypes), type: k % nTypes };
}

export interface SdPlan {
  label: number;
  loc: number;
  type: number;
  steps: Step[];
  /** true: source = the face, target = the altered face */
  swap: boolean;
  mask: MaskParams;
}

/** A face ready for the generator: the crop at the model size, its landmarks, and its units. */
export interface SdFace extends CropUnits {
  image: ChwImage;
  landmarks: Landmarks;
}

export function samplePlan(rng: Rng, face: CropUnits, label: number, cfg: SdConfig): SdPlan {
  const nT = numTypes(cfg);
  const K = numClasses(cfg);
  if (!(Number.isInteger(label) && label >= 0 && label < K)) throw new Error(`class ${label} is not in 0..${K - 1}`);
  const { loc, type } = splitClass(label, nT);
  const swap = rng.uniform() < (cfg.swapProb ?? 0.5);
  const steps = sampleSteps(rng, cfg.types, type, face);
  const mask = sampleMaskParams(rng, face, { scaleRange: cfg.affineScale });
  return { label, loc, type, steps, swap, mask };
}

export interface RenderItem {
  image: ChwImage;
  mask: Float32Array;
  plan: SdPlan;
}

/** Renders a batch of planned discrepancies (same image size within a batch). */
export interface SdRenderer {
  readonly name: string;
  render(items: readonly RenderItem[]): Promise<ChwImage[]>;
}

export function renderCpu(item: RenderItem): ChwImage {
  const { image, mask, plan } = item;
  const altered = applyStepsCpu(image, plan.steps);
  const [source, target] = plan.swap ? [image, altered] : [altered, image];
  const warped = mapPlanes(source, (p) => warpPlane(p, source.width, source.height, plan.mask.warp, 'linear'));
  return blendImages(warped, target, mask);
}

export const cpuRenderer: SdRenderer = {
  name: 'cpu',
  render: async (items) => items.map(renderCpu),
};

export interface SdSample {
  image: ChwImage;
  /** the soft mask M actually used, size×size in [0, 1] */
  mask: Float32Array;
  /** the location's hard mask before the affine/elastic/blur */
  location: Uint8Array;
  plan: SdPlan;
  /** the location was (nearly) empty and used the widened region */
  widened: boolean;
}

/**
 * Render one discrepancy per label for a face. Location masks are computed once per face.
 * Same Rng state → same plans → same images (the renderers are deterministic).
 */
export async function makeDiscrepancies(
  face: SdFace, labels: readonly number[], rng: Rng, cfg: SdConfig = defaultSdConfig(), renderer: SdRenderer = cpuRenderer,
): Promise<SdSample[]> {
  return (await makeDiscrepancyBatch([{ face, labels }], rng, cfg, renderer))[0];
}

/**
 * Several faces at once, rendered in one renderer call (one GPU readback for a whole training batch).
 * Plans are drawn face by face in request order, so one request draws exactly what makeDiscrepancies does.
 */
export async function makeDiscrepancyBatch(
  requests: readonly { face: SdFace; labels: readonly number[] }[], rng: Rng,
  cfg: SdConfig = defaultSdConfig(), renderer: SdRenderer = cpuRenderer,
): Promise<SdSample[][]> {
  const prepared = requests.map(({ face, labels }) => {
    const { width, height } = face.image;
    if (width !== face.size || height !== face.size) {
      throw new Error(`makeDiscrepancies: the crop is ${width}×${height}, expected ${face.size}×${face.size}`);
    }
    const locs = cfg.scheme.masks(face.landmarks, width, height);
    const plans = labels.map((k) => samplePlan(rng, face, k, cfg));
    const masks = plans.map((p) => softMask(locs.masks[p.loc], face.size, p.mask));
    return { face, locs, plans, masks };
  });
  const items = prepared.flatMap(({ face, plans, masks }) => plans.map((plan, i) => ({ image: face.image, mask: masks[i], plan })));
  const images = await renderer.render(items);
  let next = 0;
  return prepared.map(({ locs, plans, masks }) =>
    plans.map((plan, i) => ({
      image: images[next++], mask: masks[i], location: locs.masks[plan.loc], plan, widened: locs.widened[plan.loc],
    })),
  );
}
