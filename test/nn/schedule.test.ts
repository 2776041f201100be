// LR schedules against their closed forms, at the boundaries and in between.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantThenLinearDecay, cosine } from '../../src/nn/schedule.ts';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} ≠ ${b}`);

describe('LR schedules', () => {
  it('constant then linear decay to 0', () => {
    const s = constantThenLinearDecay({ lr: 0.2, totalSteps: 100, constantSteps: 75 });
    for (const step of [0, 1, 37, 74]) close(s(step), 0.2, `step ${step}`);
    close(s(75), 0.2, 'decay starts at the full LR');
    close(s(80), 0.2 * (100 - 80) / 25, 'step 80');
    close(s(99), 0.2 / 25, 'last step');
    close(s(100), 0, 'end');
    close(s(150), 0, 'past the end');
    const a = constantThenLinearDecay({ lr: 1, totalSteps: 10, constantSteps: 0 });
    for (let i = 0; i <= 10; i++) close(a(i), (10 - i) / 10, `pure linear ${i}`);
    const b = constantThenLinearDecay({ lr: 3, totalSteps: 10, constantSteps: 10 });
    close(b(9), 3, 'all constant');
    close(b(10), 0, 'all constant, end');
    assert.throws(() => constantThenLinearDecay({ lr: 1, totalSteps: 10, constantSteps: 11 }), /constantSteps/);
  });

  it('cosine with warm-up', () => {
    const s = cosine({ lr: 0.1, totalSteps: 110, warmupSteps: 10, minLr: 0.01 });
    for (let i = 0; i < 10; i++) close(s(i), 0.1 * (i + 1) / 10, `warm-up ${i}`);
    close(s(10), 0.1, 'peak');
    for (const step of [10, 23, 60, 97, 110]) {
      const t = (step - 10) / 100;
      close(s(step), 0.01 + 0.09 * (1 + Math.cos(Math.PI * t)) / 2, `cosine ${step}`);
    }
    close(s(60), 0.055, 'midpoint is the mean of lr and minLr');
    close(s(500), 0.01, 'floor after the end');
    const plain = cosine({ lr: 2, totalSteps: 4 });
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => +plain(i).toFixed(12)), [2, +(1 + Math.SQRT1_2).toFixed(12), 1, +(1 - Math.SQRT1_2).toFixed(12), 0]);
  });
});
