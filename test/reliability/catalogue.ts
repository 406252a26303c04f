import { badInputCases } from './bad-input-cases';
import { faultCases } from './fault-cases';
import type { ReliabilityCase } from './types';

/** Every case of docs/reliability.md, in report order: faults first, then bad input. */
export const catalogue: readonly ReliabilityCase[] = [...faultCases, ...badInputCases];

/**
 * The entry with `id`; throws when there is none, so a test that reads its count from a case that was renamed or
 * removed fails loudly instead of trying nothing.
 *
 * @example
 * const { count } = reliabilityCase('slack-429-retry-after');
 */
export function reliabilityCase(id: string): ReliabilityCase {
  const found = catalogue.find((entry) => entry.id === id);
  if (!found) throw new Error(`no reliability case "${id}" in test/reliability/catalogue.ts`);
  return found;
}
