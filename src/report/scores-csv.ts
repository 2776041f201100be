// Parses the scores.csv that `seeable eval --out` writes: file,label,score,fake_at_threshold and
// then loc_0 … loc_{n−1} (the per-location scores, grid cells row-major; absent in older files).
// An unscored face has an empty score and stays in the rows (score null).

export interface ScoreRow {
  file: string;
  label: 'real' | 'fake';
  score: number | null;
  fake: boolean | null;
  perLocation: number[] | null;
}

/** One CSV line into fields (double quotes with "" escapes, as RFC 4180). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseScoresCsv(text: string): ScoreRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) throw new Error('empty file');
  const head = splitCsvLine(lines[0]);
  const col = (name: string) => head.indexOf(name);
  const [iFile, iLabel, iScore, iFake] = ['file', 'label', 'score', 'fake_at_threshold'].map(col);
  if (iFile < 0 || iLabel < 0 || iScore < 0) throw new Error(`header "${lines[0]}" lacks file,label,score`);
  const locCols = head.map((h, i) => [h, i] as const).filter(([h]) => /^loc_\d+$/.test(h)).sort((a, b) => Number(a[0].slice(4)) - Number(b[0].slice(4))).map(([, i]) => i);
  const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? null : Number(s));
  return lines.slice(1).map((line, n) => {
    const f = splitCsvLine(line);
    const label = f[iLabel];
    if (label !== 'real' && label !== 'fake') throw new Error(`line ${n + 2}: label "${label}" is neither real nor fake`);
    const score = num(f[iScore]);
    const locs = locCols.map((i) => num(f[i]));
    const fake = iFake >= 0 && f[iFake] !== '' ? f[iFake] === 'true' : null;
    return {
      file: f[iFile], label, score: score !== null && Number.isFinite(score) ? score : null, fake,
      perLocation: locs.length && locs.every((v) => v !== null && Number.isFinite(v)) ? (locs as number[]) : null,
    };
  });
}
