// The GPU renderer of soft discrepancies: the alteration, the source's affine warp and the blend
// run as the engine's image kernels (src/ops/image); plans and soft masks come from the CPU
// (discrepancy.ts, soft-mask.ts). A batch is gathered into one [N, 3, S, S] tensor and read back once.
import { getGpu } from '../gpu/device.ts';
import { blend } from '../ops/image/blend.ts';
import { channelAffine, hsvShift, sharpen } from '../ops/image/color.ts';
import { frequencyBandGain } from '../ops/image/frequency.ts';
import { cvResize } from '../ops/image/resize.ts';
import { warpAffine, type Affine } from '../ops/image/warp.ts';
import { tensor } from '../tensor/create.ts';
import { keep, tidy } from '../tensor/scope.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { Step } from './alterations.ts';
import type { RenderItem, SdRenderer } from './discrepancy.ts';
import type { ChwImage } from './image.ts';

function applyStep(x: Tensor, s: Step, size: number): Tensor {
  switch (s.op) {
    case 'color': return channelAffine(x, s.gain, s.bias);
    case 'hsv': return hsvShift(x, { hue: s.dh * 360, sat: s.ds, val: s.dv });
    case 'downUp': return cvResize(cvResize(x, s.height, s.width, 'nearest'), size, size, 'linear');
    case 'sharpen': return sharpen(x, { alpha: s.alpha, lightness: s.lightness });
    case 'band': return frequencyBandGain(x, { rhoLo: s.rhoLo, gain: s.gain, halfWidth: 0.05 });
  }
}

/** Record the rendering of one item (no readback); returns [3, S, S]. */
export function renderOnGpu(face: Tensor, item: RenderItem): Tensor {
  const size = item.image.width;
  return tidy(() => {
    let altered = face;
    for (const s of item.plan.steps) altered = applyStep(altered, s, size);
    const [source, target] = item.plan.swap ? [face, altered] : [altered, face];
    const warped = warpAffine(source, item.plan.mask.warp as unknown as Affine, {
      inverseMap: true, interp: 'bilinear', border: 'constant', borderValue: 0,
    });
    return blend(warped, target, tensor(item.mask, [size, size]));
  });
}

export const gpuRenderer: SdRenderer = {
  name: 'gpu',
  async render(items) {
    if (items.length === 0) return [];
    const { width: w, height: h } = items[0].image;
    if (w !== h || items.some((it) => it.image.width !== w || it.image.height !== h)) {
      throw new Error('gpuRenderer: a batch needs square crops of one size');
    }
    const plane = 3 * w * h;
    const gpu = getGpu();
    const batch = tidy(() => {
      const faces = new Map<ChwImage, Tensor>(); // the K classes of one face share one upload
      const out = keep(Tensor.empty([items.length, 3, h, w]));
      items.forEach((it, i) => {
        let face = faces.get(it.image);
        if (!face) faces.set(it.image, (face = tensor(it.image.data, [3, h, w])));
        const x = renderOnGpu(face, it);
        gpu.copy(x.buffer, 0, out.buffer, i * plane * 4, plane * 4);
        x.dispose();
      });
      return out;
    });
    const data = await batch.readF32();
    batch.dispose();
    return items.map((_, i) => ({ channels: 3, width: w, height: h, data: data.slice(i * plane, (i + 1) * plane) }));
  },
};
