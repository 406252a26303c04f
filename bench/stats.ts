/** Small helpers shared by the benchmark scripts: percentiles, formatting, forced GC for heap figures. */
import v8 from 'node:v8';
import vm from 'node:vm';

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function ms(value: number): string {
  return `${value.toFixed(value < 1 ? 3 : 1)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Times fn once per call, returning milliseconds. */
export function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap in use after a full collection, so figures compare like with like. */
export function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function verdict(value: number, target: number): string {
  return value <= target ? `ok (target ≤ ${target})` : `OVER TARGET (≤ ${target})`;
}
