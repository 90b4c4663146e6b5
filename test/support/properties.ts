/**
 * The number of runs of a property: modest by default so that the unit tier stays fast;
 * PROPERTY_RUNS=20 runs every property twenty times as often (a soak before a release).
 */
export function runs(numRuns: number): { numRuns: number } {
  const factor = Number(process.env.PROPERTY_RUNS ?? '1');
  return { numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(factor) && factor > 0 ? factor : 1))) };
}
