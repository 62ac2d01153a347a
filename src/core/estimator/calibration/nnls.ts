// Non-negative least squares, min ‖A x − b‖² subject to x ≥ 0 (Lawson & Hanson, "Solving Least Squares
// Problems", 1974, algorithm NNLS). Sized for the calibration fits: a few hundred rows, a dozen unknowns, so the
// passive-set solves go through the small normal equations (the ridge rows keep them well conditioned).

/** Solve the symmetric positive (semi)definite system M y = v by Gaussian elimination with partial pivoting. */
function solveSymmetric(M: number[][], v: number[]): number[] {
  const n = v.length;
  const a = M.map((row, i) => [...row, v[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const piv = a[c]![c]!;
    if (Math.abs(piv) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / piv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * y[k]!;
    const piv = a[r]![r]!;
    y[r] = Math.abs(piv) < 1e-300 ? 0 : s / piv;
  }
  return y;
}

export function nnls(A: readonly (readonly number[])[], b: readonly number[], maxIter = 200): number[] {
  const m = A.length;
  const n = m ? A[0]!.length : 0;
  // Normal equations once: AᵀA and Aᵀb.
  const AtA = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const Atb = new Array<number>(n).fill(0);
  for (let i = 0; i < m; i++) {
    const row = A[i]!;
    const bi = b[i]!;
    for (let j = 0; j < n; j++) {
      const rj = row[j]!;
      if (rj === 0) continue;
      Atb[j]! += rj * bi;
      for (let k = 0; k < n; k++) AtA[j]![k]! += rj * row[k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const grad = (): number[] => Atb.map((v, j) => v - AtA[j]!.reduce((s, a, k) => s + a * x[k]!, 0));
  const solvePassive = (): number[] => {
    const idx = passive.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
    const sub = solveSymmetric(idx.map((j) => idx.map((k) => AtA[j]![k]!)), idx.map((j) => Atb[j]!));
    const z = new Array<number>(n).fill(0);
    idx.forEach((j, i) => { z[j] = sub[i]!; });
    return z;
  };
  const tol = 1e-12 * Math.max(1, ...Atb.map(Math.abs));
  for (let iter = 0; iter < maxIter; iter++) {
    const w = grad();
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && w[j]! > tol && (best < 0 || w[j]! > w[best]!)) best = j;
    if (best < 0) break;
    passive[best] = true;
    for (let inner = 0; inner < 3 * n + 3; inner++) {
      const z = solvePassive();
      if (passive.every((p, j) => !p || z[j]! > 0)) {
        for (let j = 0; j < n; j++) x[j] = z[j]!;
        break;
      }
      // Step back to the boundary and release the variables that hit zero.
      let alpha = 1;
      for (let j = 0; j < n; j++) if (passive[j] && z[j]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - z[j]!));
      for (let j = 0; j < n; j++) {
        x[j] = x[j]! + alpha * (z[j]! - x[j]!);
        if (passive[j] && x[j]! <= 1e-15) { passive[j] = false; x[j] = 0; }
      }
    }
  }
  return x;
}
