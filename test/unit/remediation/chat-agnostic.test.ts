import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../../..');
const REMEDIATION = join(ROOT, 'lambda/remediation');
const SLACK = join(ROOT, 'lambda/slack');

/** Every module specifier a file names: static imports and re-exports, `import()`, `require()`, type-only ones too. */
function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The project file a relative specifier names, or undefined for a package. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Follows the project's own imports from `entries`; returns each chat import found, as "file -> specifier". */
function chatImportsReachableFrom(entries: string[]): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
      const local = resolveLocal(file, specifier);
      const isChat = specifier.startsWith('@slack/') || (local !== undefined && !relative(SLACK, local).startsWith('..'));
      if (isChat) found.push(`${relative(ROOT, file)} -> ${specifier}`);
      else if (local !== undefined) queue.push(local);
    }
  }
  return found;
}

describe('lambda/remediation/ is chat-agnostic', () => {
  it('no file under it imports lambda/slack/ or @slack/*, directly or through another project file', () => {
    // Prepare
    const files = tsFilesUnder(REMEDIATION);

    // Act
    const chatImports = chatImportsReachableFrom(files);

    // Assess
    expect(files.map((file) => relative(REMEDIATION, file))).toEqual(expect.arrayContaining(['status-events.ts', 'sweep.ts', 'notifier.ts']));
    expect(chatImports).toEqual([]);
  });

  it('the scan sees every way a file can name a module', () => {
    // Prepare
    const source = [
      "import type { KnownBlock } from '@slack/types';",
      "import { escapeMrkdwn } from '../slack/blocks/mrkdwn';",
      "export { buildStatusMessage } from '../slack/remediation/status-message';",
      "const lazy = () => import('@slack/web-api');",
      "const old = require('../slack/post-outcome');",
    ].join('\n');

    // Act
    const specifiers = specifiersOf(source);

    // Assess
    expect(specifiers).toEqual(['@slack/types', '../slack/blocks/mrkdwn', '../slack/remediation/status-message', '@slack/web-api', '../slack/post-outcome']);
    const local = resolveLocal(join(REMEDIATION, 'status-events.ts'), '../slack/post-outcome');
    expect(local !== undefined && !relative(SLACK, local).startsWith('..')).toBe(true);
  });
});
