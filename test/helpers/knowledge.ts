import { createDiagnoser } from '../../lambda/core/diagnosis/create-diagnoser';
import { bundleFromRunbooks } from '../../lambda/core/knowledge/bundle';
import { validateKnowledge } from '../../lambda/core/knowledge/validate-knowledge';
import { readKnowledgeFiles } from '../../lambda/build/knowledge-files';
import type { Runbook } from '../../lambda/core/knowledge/runbook';

let shipped: Runbook[] | undefined;

/** The repository's runbooks, validated once per test file; throws with every problem if any is invalid. */
export function shippedRunbooks(): Runbook[] {
  if (!shipped) {
    const { runbooks, problems } = validateKnowledge(readKnowledgeFiles());
    if (problems.length > 0) throw new Error(problems.map((p) => `${p.file}: ${p.field}: ${p.message}`).join('\n'));
    shipped = runbooks;
  }
  return shipped;
}

/** The engine over the shipped knowledge base. */
export function shippedDiagnoser(): ReturnType<typeof createDiagnoser> {
  return createDiagnoser(bundleFromRunbooks(shippedRunbooks()));
}
