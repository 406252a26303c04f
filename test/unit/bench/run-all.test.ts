import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { benchScripts, runEvery } from '../../../bench/run-all';

describe('npm run bench', () => {
  test('runs every benchmark even after one misses its target, and fails at the end', () => {
    // Prepare: real processes, the first of which fails the way a missed target does (exit 1).
    const commands: Record<string, string> = { 'bench:first': 'process.exit(1)', 'bench:second': 'process.exit(0)', 'bench:third': 'process.exit(0)' };
    const ran: string[] = [];

    // Act
    const { outcomes, exitCode } = runEvery(Object.keys(commands), (name) => {
      ran.push(name);
      return spawnSync(process.execPath, ['-e', commands[name] ?? '']).status ?? 1;
    });

    // Assess
    expect(ran).toEqual(['bench:first', 'bench:second', 'bench:third']);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([1, 0, 0]);
    expect(exitCode).toBe(1);
  });

  test("covers each bench:* script of package.json, and the bench script is the runner", () => {
    // Prepare
    const packageJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };

    // Act
    const names = benchScripts(packageJson);

    // Assess
    expect(names).toEqual(expect.arrayContaining(['bench:diagnose', 'bench:slack', 'bench:bundle', 'bench:load']));
    expect(packageJson.scripts.bench).toBe('tsx bench/run-all.ts');
  });
});
