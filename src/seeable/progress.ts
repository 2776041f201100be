// Training progress: a live bar (step, loss, images/s, ETA) on a terminal via cli-progress, and
// plain log lines everywhere (a pipe or CI gets only the lines).
import cliProgress from 'cli-progress';

export class ProgressLine {
  private readonly bar: cliProgress.SingleBar | null;

  constructor(total: number, start: number) {
    this.bar = process.stderr.isTTY
      ? new cliProgress.SingleBar({
          stream: process.stderr,
          format: 'train |{bar}| {value}/{total} steps | loss {loss} | {ips} img/s | ETA {eta_formatted}',
          etaBuffer: 20,
          hideCursor: true,
        }, cliProgress.Presets.shades_classic)
      : null;
    this.bar?.start(total, start, { loss: '-', ips: '-' });
  }

  update(step: number, loss: number, imagesPerSecond: number): void {
    this.bar?.update(step, { loss: loss.toFixed(4), ips: imagesPerSecond.toFixed(2) });
  }

  /** A line above the bar (or alone without a terminal). */
  log(line: string, sink: (s: string) => void): void {
    if (this.bar) {
      this.bar.stop();
      sink(line);
      this.bar.start(this.bar.getTotal(), Number((this.bar as unknown as { value: number }).value), {});
    } else {
      sink(line);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
