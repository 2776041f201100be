// Screenshot of a report page in headless Chromium, to look at the layout:
//   npx tsx test/report/screenshot.ts RUN_DIR/report.html out.png [width] [fullPage:1|0]
import { dirname, basename } from 'node:path';
import { launchBrowser, serveDir } from '../helpers/browser.ts';

const [file, out, width = '1200', full = '1'] = process.argv.slice(2);
if (!file || !out) throw new Error('usage: screenshot.ts REPORT.html OUT.png [width] [fullPage]');
const { server, url } = await serveDir(dirname(file));
const b = await launchBrowser();
try {
  await b.page.setViewportSize({ width: Number(width), height: 900 });
  await b.page.goto(`${url}/${basename(file)}`);
  await b.page.screenshot({ path: out, fullPage: full === '1' });
  console.log(`wrote ${out}`);
} finally {
  await b.close();
  server.close();
}
