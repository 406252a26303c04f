import matter from 'gray-matter';
import type { ZodError } from 'zod';
import { RunbookInvalidError, type RunbookProblem } from '../errors';
import { codeBlockDifferences, proseOf } from './code-blocks';
import { frontMatterSchema, REQUIRED_SECTIONS, REQUIRED_SECTIONS_ZH, type Runbook, type SectionKey } from './runbook';

export interface RunbookSource {
  /** Path relative to the repository root, e.g. `knowledge/shim/shim-version-mismatch.md`. */
  file: string;
  text: string;
}

const HEADING = /^## +(.+?) *$/gm;
const HAN = /\p{Script=Han}/u;
/** Problems in the Chinese body are reported under this field, so an author sees at once which language is at fault. */
export const CHINESE_BODY_FIELD = 'body.zh';

interface FoundSection {
  heading: string;
  headingAt: number;
  start: number;
  end: number;
}

/**
 * Parses and validates one runbook file. Collects every problem instead of stopping at the first, so an
 * author fixes a file in one go.
 *
 * @throws RunbookInvalidError naming the file and each field at fault.
 * @example
 * const runbook = parseRunbook({ file: 'knowledge/shim/shim-version-mismatch.md', text });
 */
export function parseRunbook(source: RunbookSource): Runbook {
  const problems: RunbookProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ file: source.file, field, message });
  };

  let data: unknown;
  let body: string;
  try {
    // gray-matter caches by content; an empty options object turns the cache off so edits are always seen.
    const parsed = matter(source.text, {});
    data = parsed.data;
    body = parsed.content;
  } catch (error) {
    throw new RunbookInvalidError([
      { file: source.file, field: 'front matter', message: `is not valid YAML: ${(error as Error).message.split('\n')[0]}` },
    ]);
  }
  if (!source.text.trimStart().startsWith('---')) {
    problem('front matter', 'is missing: the file must start with a --- block');
  }

  const result = frontMatterSchema.safeParse(data ?? {});
  if (!result.success) {
    for (const issue of zodIssues(result.error)) problem(issue.field, issue.message);
  }

  const fileId = source.file.replace(/^.*\//, '').replace(/\.md$/, '');
  if (result.success && result.data.id !== fileId) {
    problem('id', `is "${result.data.id}" but the file is named ${fileId}.md: they must match`);
  }

  if (result.success) {
    result.data.signatures.forEach((signature, index) => {
      const error = regexError(signature.pattern);
      if (error) problem(`signatures[${index}].pattern`, `is not a valid regular expression: ${error}`);
    });
    result.data.excludes.forEach((pattern, index) => {
      const error = regexError(pattern);
      if (error) problem(`excludes[${index}]`, `is not a valid regular expression: ${error}`);
    });
  }

  const found = findSections(body);
  const sections = parseSections(body, found, problem);
  const sectionsZh = parseChineseSections(body, found, sections, problem);

  if (problems.length > 0 || !result.success) throw new RunbookInvalidError(problems);
  const frontMatter = result.data;
  const parts = source.file.split('/');
  return {
    id: frontMatter.id,
    title: frontMatter.title,
    titleZh: frontMatter.title_zh,
    summary: frontMatter.summary,
    summaryZh: frontMatter.summary_zh,
    signatures: frontMatter.signatures.map(({ pattern, weight, description }) =>
      description === undefined ? { pattern, weight } : { pattern, weight, description },
    ),
    excludes: frontMatter.excludes,
    keywords: frontMatter.keywords,
    appliesTo: frontMatter.applies_to,
    remediation: frontMatter.remediation,
    sources: frontMatter.sources,
    area: parts.length >= 3 ? (parts[parts.length - 2] ?? 'general') : 'general',
    file: source.file,
    sections,
    sectionsZh,
  };
}

function findSections(body: string): FoundSection[] {
  const found: FoundSection[] = [];
  for (const match of body.matchAll(HEADING)) {
    found.push({ heading: match[1] ?? '', headingAt: match.index, start: match.index + match[0].length, end: body.length });
  }
  found.forEach((section, index) => {
    section.end = found[index + 1]?.headingAt ?? body.length;
  });
  return found;
}

/**
 * Picks the five sections of one language out of the body. Each section runs to the next `## ` heading of
 * any language, so the English "When this is not the fix" ends where "## 症状" starts.
 */
function pickSections(
  body: string,
  found: FoundSection[],
  expected: Record<SectionKey, string>,
  report: (message: string) => void,
): { sections: Record<SectionKey, string>; positions: number[] } {
  const sections = {} as Record<SectionKey, string>;
  const positions: number[] = [];
  for (const [key, heading] of Object.entries(expected) as [SectionKey, string][]) {
    const matches = found.filter((section) => section.heading.toLowerCase() === heading.toLowerCase());
    if (matches.length === 0) {
      report(`is missing the section "## ${heading}"`);
      continue;
    }
    if (matches.length > 1) report(`has the section "## ${heading}" ${matches.length} times`);
    const section = matches[0]!;
    const content = body.slice(section.start, section.end).trim();
    if (content === '') report(`section "## ${heading}" is empty`);
    sections[key] = content;
    positions.push(found.indexOf(section));
  }
  if (positions.some((position, i) => i > 0 && position < positions[i - 1]!)) {
    report(`sections must come in this order: ${Object.values(expected).join(', ')}`);
  }
  return { sections, positions };
}

function parseSections(body: string, found: FoundSection[], problem: (field: string, message: string) => void): Record<SectionKey, string> {
  const { sections } = pickSections(body, found, REQUIRED_SECTIONS, (message) => problem('body', message));
  if (sections.fix !== undefined && !sections.fix.includes('```')) {
    problem('body', 'section "## Fix" must give the exact commands in a code block');
  }
  return sections;
}

/**
 * The Chinese body, required: all five sections, in order, after the English ones, each with Chinese prose and
 * with exactly the English code blocks. A body with no Chinese section at all is one problem, not five.
 */
function parseChineseSections(
  body: string,
  found: FoundSection[],
  english: Record<SectionKey, string>,
  problem: (field: string, message: string) => void,
): Record<SectionKey, string> {
  const headings = new Set(Object.values(REQUIRED_SECTIONS_ZH));
  const report = (message: string): void => problem(CHINESE_BODY_FIELD, message);
  if (!found.some((section) => headings.has(section.heading))) {
    const list = Object.values(REQUIRED_SECTIONS_ZH).map((heading) => `"## ${heading}"`).join(', ');
    report(`is missing: every runbook needs its Chinese body, the sections ${list} after the English ones`);
    // Never reaches a Runbook: the problem makes parseRunbook throw.
    return english;
  }

  const { sections, positions } = pickSections(body, found, REQUIRED_SECTIONS_ZH, report);
  const lastEnglish = Math.max(
    ...Object.values(REQUIRED_SECTIONS).map((heading) => found.findIndex((section) => section.heading.toLowerCase() === heading.toLowerCase())),
  );
  if (positions.some((position) => position < lastEnglish)) {
    report('the Chinese sections must come after all five English sections');
  }
  for (const [key, heading] of Object.entries(REQUIRED_SECTIONS_ZH) as [SectionKey, string][]) {
    // A section that is only a code block is the same in both languages; any prose must be Chinese.
    const prose = sections[key] === undefined ? '' : proseOf(sections[key]);
    if (/[\p{L}]/u.test(prose) && !HAN.test(prose)) report(`section "## ${heading}" has no Chinese text outside its code`);
  }
  const complete = (Object.keys(REQUIRED_SECTIONS) as SectionKey[]).every((key) => english[key] !== undefined && sections[key] !== undefined);
  if (complete) for (const difference of codeBlockDifferences(english, sections)) report(difference);
  return sections;
}

function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function zodIssues(error: ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => {
    const field = issue.path.reduce<string>(
      (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? String(key) : `${path}.${String(key)}`),
      '',
    );
    if (issue.code === 'unrecognized_keys') {
      return { field: field || 'front matter', message: `has unknown field(s): ${issue.keys.join(', ')}` };
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return { field: field || 'front matter', message: 'is missing' };
    }
    return { field: field || 'front matter', message: issue.message };
  });
}
