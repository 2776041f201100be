// Detection metrics on scores where higher means "more likely fake" (positive class = fake):
// ROC curve and its AUC (ties counted half), average precision, and the equal error rate.

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

function check(real: ArrayLike<number>, fake: ArrayLike<number>): void {
  if (!real.length || !fake.length) throw new Error(`metrics need both classes (real ${real.length}, fake ${fake.length})`);
  for (const xs of [real, fake]) {
    for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) throw new Error(`metrics: score ${xs[i]} is not finite`);
  }
}

/** Mann–Whitney AUC: P(score_fake > score_real) + ½ P(equal). */
export function rocAuc(real: ArrayLike<number>, fake: ArrayLike<number>): number {
  check(real, fake);
  const all = [...Array.from(real, (s) => [s, 0] as const), ...Array.from(fake, (s) => [s, 1] as const)].sort((a, b) => a[0] - b[0]);
  let rankSumFake = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const avgRank = (i + j + 1) / 2; // 1-based ranks i+1 … j
    for (let k = i; k < j; k++) if (all[k][1] === 1) rankSumFake += avgRank;
    i = j;
  }
  const nf = fake.length;
  const nr = real.length;
  return (rankSumFake - (nf * (nf + 1)) / 2) / (nf * nr);
}

/** ROC points from the highest threshold down; one point per distinct score. */
export function rocCurve(real: ArrayLike<number>, fake: ArrayLike<number>): RocPoint[] {
  check(real, fake);
  const all = [...Array.from(real, (s) => [s, 0] as const), ...Array.from(fake, (s) => [s, 1] as const)].sort((a, b) => b[0] - a[0]);
  const pts: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) (all[j][1] ? tp++ : fp++), j++;
    pts.push({ threshold: all[i][0], fpr: fp / real.length, tpr: tp / fake.length });
    i = j;
  }
  return pts;
}

/** Average precision (area under the step precision–recall curve, as scikit-learn computes it). */
export function averagePrecision(real: ArrayLike<number>, fake: ArrayLike<number>): number {
  const roc = rocCurve(real, fake);
  let ap = 0;
  let prevRecall = 0;
  for (const p of roc.slice(1)) {
    const tp = p.tpr * fake.length;
    const fp = p.fpr * real.length;
    const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
    ap += (p.tpr - prevRecall) * precision;
    prevRecall = p.tpr;
  }
  return ap;
}

/** Equal error rate and its threshold: where the false-positive rate meets the miss rate
 *  (linear interpolation between the two ROC points that bracket the crossing). */
export function equalErrorRate(real: ArrayLike<number>, fake: ArrayLike<number>): { eer: number; threshold: number } {
  const roc = rocCurve(real, fake);
  for (let i = 1; i < roc.length; i++) {
    const a = roc[i - 1];
    const b = roc[i];
    const da = a.fpr - (1 - a.tpr);
    const db = b.fpr - (1 - b.tpr);
    if (da <= 0 && db >= 0) {
      const t = db === da ? 0 : -da / (db - da);
      const fpr = a.fpr + t * (b.fpr - a.fpr);
      const fnr = 1 - (a.tpr + t * (b.tpr - a.tpr));
      return { eer: (fpr + fnr) / 2, threshold: Number.isFinite(a.threshold) ? a.threshold + t * (b.threshold - a.threshold) : b.threshold };
    }
  }
  return { eer: 0.5, threshold: 0 };
}
