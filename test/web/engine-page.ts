// Browser entry for the engine test: the engine core plus the browser platform, nothing else.
import kernels from 'virtual:kernels';
import { useBrowserPlatform } from '../../src/gpu/browser.ts';
import * as E from '../../src/index.ts';
import { engineSmoke } from './smoke.ts';

useBrowserPlatform(kernels);

(globalThis as { runEngine?: () => Promise<unknown> }).runEngine = async () => {
  const gpu = await E.initGpu({ log: null });
  gpu.poison = true;
  return { adapter: gpu.adapter, results: await engineSmoke(E) };
};
