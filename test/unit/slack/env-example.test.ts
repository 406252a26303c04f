import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** The variables a file reads: `optional(env, 'NAME')`, `env.NAME`, `process.env.NAME`, and the document tuples. */
function variablesReadBy(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/(?:process\.env|\benv)\.([A-Z][A-Z0-9_]+)|'((?:SLACK|SHIM_FIX|AWS)_[A-Z0-9_]+)'/g)) names.add(match[1] ?? match[2] ?? '');
  return [...names].filter((name) => name !== '' && name !== 'JEST_WORKER_ID' && name !== 'AWS_DEFAULT_REGION');
}

describe('.env.example', () => {
  test('lists every variable the local runners read (configuration, logger, local server)', () => {
    // Prepare
    const read_ = ['lambda/config.ts', 'lambda/logger.ts', 'lambda/cli/serve.ts'].flatMap((file) => variablesReadBy(read(file)));
    const listed = new Set([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));

    // Act
    const missing = read_.filter((name) => !listed.has(name));

    // Assess
    expect(read_.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  test('npm run serve and npm run dev load .env when there is one', () => {
    // Act
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

    // Assess
    expect(scripts.serve).toContain('--env-file-if-exists=.env');
    expect(scripts.dev).toContain('--env-file-if-exists=.env');
  });
});
