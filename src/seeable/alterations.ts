// Alteration types of a soft discrepancy (method spec §3.3 and section S). The default set has
// N_type = 2: t0 spatial = SBI's source-transform pool, t1 frequency = the radial band gain through
// an FFT. The extended set (N_type = 4) splits the spatial pool into colour, resample and sharpen
// and keeps the frequency type last. Parameters are drawn here as plain data; cpu-image.ts (CPU)
// or src/ops/image (GPU) apply them.
import type { Rng } from '../tensor/random.ts';
import type { ChwImage } from './image.ts';
import { bandGain, colorAffine, downUp, hsvShift, sharpen } from './cpu-image.ts';
import type { CropUnits } from './soft-mask.ts';

export type TypeSet = 'sbi2' | 'ext4';

export const TYPE_NAMES: Record<TypeSet, readonly string[]> = {
  sbi2: ['spatial', 'frequency'],
  ext4: ['color', 'resample', 'sharpen', 'frequency'],
};

/** One step of an alteration; a type is a short list of steps. */
export type Step =
  | { op: 'color'; gain: [number, number, number]; bias: [number, number, number] }
  | { op: 'hsv'; dh: number; ds: number; dv: number }
  | { op: 'downUp'; width: number; height: number }
  | { op: 'sharpen'; alpha: number; lightness: number }
  | { op: 'band'; rhoLo: number; gain: number };

/** RGBShift ±20 levels per channel (with probability p); null when not drawn. */
function shiftStep(rng: Rng, p: number): Step | null {
  if (rng.uniform() >= p) return null;
  const b = [0, 1, 2].map(() => rng.uniform(-20, 20) / 255) as [number, number, number];
  return { op: 'color', gain: [1, 1, 1], bias: b };
}

/** RandomBrightnessContrast ±lim: out = α·x + β with α = 1 + c, β = b (brightness_by_max). */
function brightnessContrastStep(rng: Rng, lim: number): Step {
  const alpha = 1 + rng.uniform(-lim, lim);
  const beta = rng.uniform(-lim, lim);
  return { op: 'color', gain: [alpha, alpha, alpha], bias: [beta, beta, beta] };
}

/** albumentations HueSaturationValue ±0.3 on uint8 shifts by at most a fraction of one level. */
function hsvStep(rng: Rng): Step {
  return { op: 'hsv', dh: rng.uniform(-0.3, 0.3) / 180, ds: rng.uniform(-0.3, 0.3) / 255, dv: rng.uniform(-0.3, 0.3) / 255 };
}

/** RandomDownScale r ∈ {2, 4}, at the source image's resolution: down to (crop size in source px)/r. */
function resampleStep(rng: Rng, units: CropUnits): Step {
  const r = rng.uniform() < 0.5 ? 2 : 4;
  const w = Math.max(1, Math.floor(units.size / units.scale.x / r));
  const h = Math.max(1, Math.floor(units.size / units.scale.y / r));
  return { op: 'downUp', width: Math.min(w, units.size), height: Math.min(h, units.size) };
}

function sharpenStep(rng: Rng): Step {
  return { op: 'sharpen', alpha: rng.uniform(0.2, 0.5), lightness: rng.uniform(0.5, 1.0) };
}

/** §3.3 frequency operation: cut-off ρ_lo ~ U(0.35, 0.7); attenuate g ~ U(0, 0.5) or amplify U(1.5, 3). */
function bandStep(rng: Rng): Step {
  const rhoLo = rng.uniform(0.35, 0.7);
  const gain = rng.uniform() < 0.5 ? rng.uniform(0, 0.5) : rng.uniform(1.5, 3);
  return { op: 'band', rhoLo, gain };
}

export function sampleSteps(rng: Rng, set: TypeSet, type: number, units: CropUnits): Step[] {
  const n = TYPE_NAMES[set].length;
  if (!(Number.isInteger(type) && type >= 0 && type < n)) throw new Error(`type ${type} is not in 0..${n - 1} (${set})`);
  if (set === 'sbi2') {
    if (type === 1) return [bandStep(rng)];
    // SBI get_source_transforms: RGBShift (p 0.3), HSV (p 1), brightness/contrast ±0.1 (p 1),
    // then one of RandomDownScale / Sharpen.
    const shift = shiftStep(rng, 0.3);
    const steps: Step[] = shift ? [shift] : [];
    steps.push(hsvStep(rng), brightnessContrastStep(rng, 0.1));
    steps.push(rng.uniform() < 0.5 ? resampleStep(rng, units) : sharpenStep(rng));
    return steps;
  }
  switch (type) {
    case 0: return [shiftStep(rng, 1)!, brightnessContrastStep(rng, 0.1)];
    case 1: return [resampleStep(rng, units)];
    case 2: return [sharpenStep(rng)];
    default: return [bandStep(rng)];
  }
}

/** CPU reference of an alteration. */
export function applyStepsCpu(img: ChwImage, steps: readonly Step[]): ChwImage {
  let x = img;
  for (const s of steps) {
    switch (s.op) {
      case 'color': x = colorAffine(x, s.gain, s.bias); break;
      case 'hsv': x = hsvShift(x, s.dh, s.ds, s.dv); break;
      case 'downUp': x = downUp(x, s.width, s.height); break;
      case 'sharpen': x = sharpen(x, s.alpha, s.lightness); break;
      case 'band': x = bandGain(x, s.rhoLo, s.gain); break;
    }
  }
  return x;
}
