import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench`: every `bench:*` script of package.json, one after the other, each to the end even when an
 * earlier one missed its target; then one line per benchmark, and a non-zero exit when any of them failed.
 */
export interface BenchOutcome {
  name: string;
  status: number;
}

export function runEvery(names: readonly string[], run: (name: string) => number): { outcomes: BenchOutcome[]; exitCode: number } {
  const outcomes = names.map((name) => ({ name, status: run(name) }));
  return { outcomes, exitCode: outcomes.some((outcome) => outcome.status !== 0) ? 1 : 0 };
}

export function benchScripts(packageJson: { scripts?: Record<string, string> }): string[] {
  return Object.keys(packageJson.scripts ?? {}).filter((name) => name.startsWith('bench:'));
}

function main(): void {
  const root = path.join(__dirname, '..');
  const names = benchScripts(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> });
  const { outcomes, exitCode } = runEvery(names, (name) => spawnSync('npm', ['run', '--silent', name], { cwd: root, stdio: 'inherit' }).status ?? 1);
  process.stdout.write(`\nBenchmarks:\n${outcomes.map(({ name, status }) => `  ${status === 0 ? 'ok    ' : 'FAILED'} ${name}`).join('\n')}\n`);
  process.exitCode = exitCode;
}

if (require.main === module) main();
