import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RunbookSource } from '../core/knowledge/parse-runbook';

/** The repository's knowledge folder, wherever the process was started from. */
export const DEFAULT_KNOWLEDGE_DIR = path.resolve(__dirname, '../../knowledge');
export const DEFAULT_BUNDLE_FILE = path.resolve(__dirname, '../generated/knowledge.json');

/**
 * Reads every runbook (`<dir>/<area>/<id>.md`; README.md files are documentation, not runbooks).
 * File names in the result are relative to the repository root so messages point at the right file.
 */
export function readKnowledgeFiles(dir: string = DEFAULT_KNOWLEDGE_DIR): RunbookSource[] {
  const root = path.dirname(path.resolve(dir));
  const sources: RunbookSource[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.md') && name.toLowerCase() !== 'readme.md') {
        sources.push({ file: path.relative(root, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(path.resolve(dir));
  return sources;
}
