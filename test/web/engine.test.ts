// The engine core runs unchanged in a browser tab: the same bundle-able code and the same WGSL
// bytes give the same numbers in headless Chromium (SwiftShader) as in Node (Dawn on lavapipe).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import * as E from '../../src/index.ts';
import { bundleForBrowser } from '../../tools/bundle.ts';
import { launchBrowser, serveDir } from '../helpers/browser.ts';
import { assertClose, setupGpu } from '../helpers/harness.ts';
import { engineSmoke } from './smoke.ts';

const dir = mkdtempSync(join(tmpdir(), 'seeable-web-'));
before(setupGpu);
after(() => rmSync(dir, { recursive: true, force: true }));

it('the engine gives the same results in Chromium as in Node', { timeout: 240_000 }, async () => {
  await bundleForBrowser(join(import.meta.dirname, 'engine-page.ts'), join(dir, 'engine.js'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="engine.js"></script>');
  const node = await engineSmoke(E);
  const { server, url } = await serveDir(dir);
  const b = await launchBrowser();
  try {
    const errors: string[] = [];
    b.page.on('pageerror', (e) => errors.push(e.message));
    await b.page.goto(url);
    await b.page.waitForFunction(() => 'runEngine' in globalThis, null, { timeout: 60_000 });
    const res = (await b.page.evaluate('runEngine()')) as { adapter: { description: string }; results: Record<string, number[]> };
    assert.deepEqual(errors, []);
    for (const [k, v] of Object.entries(node)) {
      assertClose(res.results[k], v, { rel: 1e-5 }, `browser vs node: ${k}`);
    }
  } finally {
    await b.close();
    server.close();
  }
});
