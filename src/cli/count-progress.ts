// Progress of a long count (images scored, faces evaluated) on stderr, so stdout stays clean for JSON:
// a live bar with rate and ETA on a terminal; without one (a log file, CI) a line every tenth.
import cliProgress from 'cli-progress';

export function countProgress(label: string, unit: string): (done: number, total: number) => void {
  let bar: cliProgress.SingleBar | null = null;
  let nextTenth = 1;
  const t0 = performance.now();
  return (done, total) => {
    if (process.stderr.isTTY) {
      if (!bar) {
        bar = new cliProgress.SingleBar({
          stream: process.stderr, hideCursor: true, etaBuffer: 50,
          format: `${label} |{bar}| {value}/{total} ${unit} | ETA {eta_formatted}`,
        }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
      if (done >= total) bar.stop();
      return;
    }
    if (done < total && done < (nextTenth * total) / 10) return;
    while (nextTenth * total <= done * 10) nextTenth++;
    const s = (performance.now() - t0) / 1000;
    const left = ((total - done) * s) / done;
    const eta = done >= total ? `, ${(s / 60).toFixed(1)} min` : left < 90 ? `, about ${Math.ceil(left)} s left` : `, about ${Math.ceil(left / 60)} min left`;
    process.stderr.write(`${label} ${done}/${total} ${unit} (${(done / s).toFixed(2)}/s${eta})\n`);
  };
}
