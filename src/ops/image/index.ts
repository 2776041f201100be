// Image ops of the soft-discrepancy generator (GPU, no autograd): FFT and the frequency band gain,
// warps/remap/resize (OpenCV semantics), Gaussian blur, colour alterations, blending and soft masks.
export * from './fft.ts';
export * from './frequency.ts';
export * from './warp.ts';
export * from './resize.ts';
export * from './blur.ts';
export * from './color.ts';
export * from './blend.ts';
export * from './soft-mask.ts';
export * from './elastic.ts';
export { type ImageDims, imageDims } from './common.ts';
