// A temporary split folder with one good face and one face per kind of problem.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeJpeg, encodePng } from '../../src/io/images.ts';
import { faceLandmarks, texturedImage } from '../seeable/fixtures.ts';

const pairs = (lm: Float64Array) => Array.from({ length: 68 }, (_, i) => [lm[2 * i], lm[2 * i + 1]]);

/** A split folder with one good face and one face per kind of problem. */
export async function makeSplit(dir: string): Promise<void> {
  const img = texturedImage(64, 72, 5);
  const jpeg = await encodeJpeg(img, 90);
  const good = pairs(faceLandmarks(12, 14, 40, 44));
  await writeFile(join(dir, 'good.jpg'), jpeg);
  await writeFile(join(dir, 'good2.png'), await encodePng(img));
  await writeFile(join(dir, 'corrupt.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 3))); // truncated
  await writeFile(join(dir, 'garbage.jpg'), Buffer.from('this is not an image at all'));
  await writeFile(join(dir, 'nolandmarks.jpg'), jpeg);
  await writeFile(join(dir, 'outside.jpg'), jpeg);
  await writeFile(join(dir, 'short.jpg'), jpeg);
  await writeFile(join(dir, 'nan.jpg'), jpeg);
  await writeFile(join(dir, 'edge.jpg'), jpeg);
  await writeFile(join(dir, 'flat.jpg'), jpeg);
  const outside = pairs(faceLandmarks(40, 14, 40, 44)); // reaches x ≈ 80 in a 64-wide image
  const edge = good.map((p) => [...p]);
  edge[8] = [30, 72.5]; // 1.5 px below a 72-high image: within the 5 % tolerance
  const nan = good.map((p) => [...p]);
  nan[3] = [null as unknown as number, 4]; // JSON has no NaN: null is what a broken writer emits
  await writeFile(join(dir, 'landmarks.json'), JSON.stringify({
    'good.jpg': good, 'good2.png': good, 'corrupt.jpg': good, 'garbage.jpg': good, 'outside.jpg': outside,
    'short.jpg': good.slice(0, 67), 'nan.jpg': nan, 'edge.jpg': edge, 'orphan.jpg': good,
    'flat.jpg': good.map(() => [20, 30]),
  }));
}

