import matter from 'gray-matter';
import type { ZodError } from 'zod';
import { RunbookInvalidError, type RunbookProblem } from '../errors';
import { frontMatterSchema, REQUIRED_SECTIONS, type Runbook, type SectionKey } from './runbook';

export interface RunbookSource {
  /** Path relative to the repository root, e.g. `knowledge/shim/shim-version-mismatch.md`. */
  file: string;
  text: string;
}

const HEADING = /^## +(.+?) *$/gm;

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

  const sections = parseSections(body, problem);

  if (problems.length > 0 || !result.success) throw new RunbookInvalidError(problems);
  const frontMatter = result.data;
  const parts = source.file.split('/');
  return {
    id: frontMatter.id,
    title: frontMatter.title,
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
  };
}

function parseSections(body: string, problem: (field: string, message: string) => void): Record<SectionKey, string> {
  const found: { heading: string; headingAt: number; start: number; end: number }[] = [];
  for (const match of body.matchAll(HEADING)) {
    found.push({ heading: match[1] ?? '', headingAt: match.index, start: match.index + match[0].length, end: body.length });
  }
  found.forEach((section, index) => {
    section.end = found[index + 1]?.headingAt ?? body.length;
  });

  const sections = {} as Record<SectionKey, string>;
  const expected = Object.entries(REQUIRED_SECTIONS) as [SectionKey, string][];
  const headings = found.map((section) => section.heading);
  for (const [key, heading] of expected) {
    const matches = found.filter((section) => section.heading.toLowerCase() === heading.toLowerCase());
    if (matches.length === 0) {
      problem('body', `is missing the section "## ${heading}"`);
      continue;
    }
    if (matches.length > 1) problem('body', `has the section "## ${heading}" ${matches.length} times`);
    const section = matches[0]!;
    const content = body.slice(section.start, section.end).trim();
    if (content === '') problem('body', `section "## ${heading}" is empty`);
    sections[key] = content;
  }
  const order = expected.map(([, heading]) => headings.findIndex((h) => h.toLowerCase() === heading.toLowerCase()));
  const present = order.filter((index) => index >= 0);
  if (present.some((index, i) => i > 0 && index < present[i - 1]!)) {
    problem('body', `sections must come in this order: ${expected.map(([, h]) => h).join(', ')}`);
  }
  if (sections.fix !== undefined && !sections.fix.includes('```')) {
    problem('body', 'section "## Fix" must give the exact commands in a code block');
  }
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
