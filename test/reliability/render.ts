import type { ReliabilityCase } from './types';

/** Where the rendered catalogue lives, relative to the repository root. */
export const REPORT_PATH = 'docs/reliability.md';

/**
 * docs/reliability.md, rendered from the catalogue. Pure, so report.test.ts can compare it with the file and
 * `npm run reliability:report` can write it.
 *
 * @example
 * writeFileSync(REPORT_PATH, renderReliabilityReport(catalogue));
 */
export function renderReliabilityReport(cases: readonly ReliabilityCase[]): string {
  const areas = [...new Set(cases.map((entry) => entry.area))];
  const lines = [
    '# Reliability report',
    '',
    '<!-- Generated from test/reliability/catalogue.ts by `npm run reliability:report`; test/reliability/report.test.ts fails when this file differs. Do not edit by hand. -->',
    '',
    'Every fault and bad-input class the bot is exercised against, what was tried, how many times, and the outcome the',
    'named test asserts. Each test reads its count from the catalogue entry, so the numbers below are the numbers tried.',
    'Faults in `test/e2e` run end to end (`npm run test:e2e`): `npm run serve` as a child process, the Slack Web API stub,',
    'a DynamoDB-compatible server and an SSM stub speaking SSM’s JSON protocol, all on 127.0.0.1. The few that need an exact',
    'moment (a store failing between two clicks, a process dying between two writes) run in process through the same code.',
    '',
    `${cases.length} cases in ${areas.length} areas, ${cases.reduce((sum, entry) => sum + entry.count, 0)} attempts in all.`,
    '',
    '| Area | Fault or input | What was tried | Count | Outcome | Test |',
    '|---|---|---|--:|---|---|',
    ...cases.map((entry) =>
      [entry.area, entry.fault, entry.tried, String(entry.count), entry.outcome, `\`${entry.test.file}\`: ${entry.test.name}`]
        .map(cell)
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    ),
    '',
  ];
  return lines.join('\n');
}

/** One table cell: pipes escaped, line breaks flattened (a cell is one line of Markdown). */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
