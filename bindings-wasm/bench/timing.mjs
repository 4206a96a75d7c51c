// The loops every bench script here times with, so that their figures are
// measured alike (BENCHMARKS.md, "JavaScript").

/** Best of 7 timed loops of `n` after one warm-up loop, in µs per operation. */
export function bench(fn, n = 20_000) {
  for (let i = 0; i < n; i++) fn();
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / n);
  }
  return best;
}

/** One timed loop of `n` awaited calls (no warm-up), in µs per call: a round of the interleaved call benchmarks. */
export async function timeAwaited(fn, n) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t) / 1000 / n;
}
