import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { catalogue } from './catalogue';
import { REPORT_PATH, renderReliabilityReport } from './render';

const ROOT = path.resolve(__dirname, '..', '..');

describe('docs/reliability.md and its catalogue', () => {
  test('the report is exactly the rendered catalogue (run `npm run reliability:report` after changing a case)', () => {
    // Prepare
    const expected = renderReliabilityReport(catalogue);

    // Act
    const actual = existsSync(path.join(ROOT, REPORT_PATH)) ? readFileSync(path.join(ROOT, REPORT_PATH), 'utf8') : '';

    // Assess
    expect(actual).toBe(expected);
  });

  test('every case has a unique id, a positive whole count and every field filled', () => {
    // Act
    const ids = catalogue.map((entry) => entry.id);
    const incomplete = catalogue.filter((entry) => [entry.area, entry.fault, entry.tried, entry.outcome, entry.test.file, entry.test.name].some((field) => field.trim() === ''));

    // Assess
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id))).toEqual([]);
    expect(catalogue.filter((entry) => !Number.isInteger(entry.count) || entry.count < 1).map((entry) => entry.id)).toEqual([]);
    expect(incomplete.map((entry) => entry.id)).toEqual([]);
  });

  test('every case names a test that exists, in a file that reads the case from the catalogue', () => {
    // Act: a title must appear as written in an it/test call; the id must appear where the test reads its count.
    const problems = catalogue.flatMap((entry) => {
      const file = path.join(ROOT, entry.test.file);
      if (!existsSync(file)) return [`${entry.id}: ${entry.test.file} does not exist`];
      const source = readFileSync(file, 'utf8');
      // The title as written, or a title read from this very entry (`test(entry.test.name, …)`, the id named below).
      const titled =
        ["'", '"', '`'].some((quote) => new RegExp(`\\b(?:it|test)(?:\\.each\\([\\s\\S]*?\\))?\\(\\s*${quote}${escapeRegExp(escapeFor(quote, entry.test.name))}${quote}`).test(source)) ||
        /\b(?:it|test)\(\s*[A-Za-z_$][\w$]*\.test\.name\s*,/.test(source);
      return [
        ...(titled ? [] : [`${entry.id}: no it/test titled "${entry.test.name}" in ${entry.test.file}`]),
        ...(source.includes(`'${entry.id}'`) || source.includes(`"${entry.id}"`)
          ? []
          : [`${entry.id}: ${entry.test.file} never names the case, so it cannot read its count`]),
      ];
    });

    // Assess
    expect(problems).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How the title is written inside a literal with `quote`: a single-quoted title escapes its apostrophes. */
function escapeFor(quote: string, title: string): string {
  return quote === "'" ? title.replace(/'/g, "\\'") : title;
}
