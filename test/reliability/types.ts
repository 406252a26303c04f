/**
 * One row of docs/reliability.md: a fault or bad-input class the bot was exercised against.
 *
 * The catalogue is the single source of truth: tests read `count` from their entry (so the
 * number in the report is the number the test really tried), and `report.test.ts` renders the
 * catalogue and fails when docs/reliability.md drifts or when `test.name` no longer exists in
 * `test.file`.
 */
export interface ReliabilityCase {
  /** Stable kebab-case id, unique across the catalogue (e.g. `slack-429-retry-after`). */
  id: string;
  /** Which joint of the system: `slack-web-api`, `ssm`, `dynamodb`, `eventbridge`, `lambda`, `input:events`, … */
  area: string;
  /** The fault or input class, in a few words (e.g. "Slack Web API answers 429 with Retry-After"). */
  fault: string;
  /** What the test did to provoke it (e.g. "first chat.postMessage answers 429, Retry-After: 1"). */
  tried: string;
  /** How many times / inputs were tried; tests use this value, never a literal of their own. */
  count: number;
  /** The outcome the test asserts (e.g. "one threaded answer, posted once after the retry"). */
  outcome: string;
  /**
   * Where the assertion lives: repository-relative file, and the title exactly as written in the `it`/`test` call
   * (for a `describe.each` or `test.each`, the literal title, which runs once per row). report.test.ts checks that the
   * file contains that title and names this entry's `id` (the test reads its count from the catalogue).
   */
  test: { file: string; name: string };
}
