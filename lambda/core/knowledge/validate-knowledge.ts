import { RunbookInvalidError, type RunbookProblem } from '../errors';
import { parseRunbook, type RunbookSource } from './parse-runbook';
import type { Runbook } from './runbook';

/**
 * Judges whether a pattern can backtrack catastrophically. Injected because the proof (recheck) is a
 * build-time tool: the Lambda never compiles patterns it has not been shipped with.
 * Returns undefined when safe, or a sentence saying why not.
 */
export type RegexSafetyCheck = (pattern: string) => string | undefined;

export interface KnowledgeValidation {
  runbooks: Runbook[];
  problems: RunbookProblem[];
}

/**
 * Validates every runbook and the set as a whole (unique ids, safe patterns). Never throws: returns the
 * runbooks that are valid and every problem found, so `kb validate` can list them all at once.
 */
export function validateKnowledge(sources: RunbookSource[], options: { checkRegex?: RegexSafetyCheck } = {}): KnowledgeValidation {
  const problems: RunbookProblem[] = [];
  const runbooks: Runbook[] = [];
  const seen = new Map<string, string>();

  if (sources.length === 0) {
    problems.push({ file: 'knowledge/', field: 'runbooks', message: 'no runbook files (*.md) were found' });
  }
  for (const source of [...sources].sort((a, b) => a.file.localeCompare(b.file))) {
    let runbook: Runbook;
    try {
      runbook = parseRunbook(source);
    } catch (error) {
      if (error instanceof RunbookInvalidError) {
        problems.push(...error.problems);
        continue;
      }
      throw error;
    }
    const firstFile = seen.get(runbook.id);
    if (firstFile !== undefined) {
      problems.push({ file: source.file, field: 'id', message: `"${runbook.id}" is already used by ${firstFile}` });
      continue;
    }
    seen.set(runbook.id, source.file);
    const unsafe = options.checkRegex ? unsafePatterns(runbook, options.checkRegex) : [];
    if (unsafe.length > 0) {
      problems.push(...unsafe);
      continue;
    }
    runbooks.push(runbook);
  }
  return { runbooks: runbooks.sort((a, b) => a.id.localeCompare(b.id)), problems };
}

function unsafePatterns(runbook: Runbook, check: RegexSafetyCheck): RunbookProblem[] {
  const fields = [
    ...runbook.signatures.map((signature, index) => [`signatures[${index}].pattern`, signature.pattern] as const),
    ...runbook.excludes.map((pattern, index) => [`excludes[${index}]`, pattern] as const),
  ];
  const problems: RunbookProblem[] = [];
  for (const [field, pattern] of fields) {
    const reason = check(pattern);
    if (reason !== undefined) problems.push({ file: runbook.file, field, message: reason });
  }
  return problems;
}
