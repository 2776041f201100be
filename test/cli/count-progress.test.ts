// Progress without a terminal: one line per tenth of the count (never more), the last one at the end.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { countProgress } from '../../src/cli/count-progress.ts';

it('writes a line every tenth, with rate and time left, and one at the end', () => {
  assert.ok(!process.stderr.isTTY, 'the test runner gives no terminal');
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => (lines.push(s), true)) as typeof process.stderr.write;
  try {
    const p = countProgress('[eval]', 'images');
    for (let d = 1; d <= 25; d++) p(d, 25);
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(lines.map((l) => Number(/ (\d+)\/25 /.exec(l)?.[1])), [3, 5, 8, 10, 13, 15, 18, 20, 23, 25]);
  assert.match(lines[0], /^\[eval\] 3\/25 images \([\d.]+\/s, about \d+ (s|min) left\)\n$/);
  assert.match(lines.at(-1)!, /^\[eval\] 25\/25 images \([\d.]+\/s, [\d.]+ min\)\n$/);
});
