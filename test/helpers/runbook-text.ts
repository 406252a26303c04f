import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunbookTextOptions {
  id?: string;
  frontMatter?: Record<string, string | undefined>;
  sections?: Partial<Record<'Symptoms' | 'Cause' | 'Fix' | 'Verify' | 'When this is not the fix', string | undefined>>;
  /**
   * The Chinese body, appended after the English one: a valid default unless told otherwise (`true` or
   * omitted), any section replaceable or removable, or `false` for a runbook without any Chinese body.
   */
  sectionsZh?: boolean | Partial<Record<'症状' | '原因' | '修复' | '验证' | '不适用的情况', string | undefined>>;
}

const DEFAULT_SECTIONS_ZH = {
  症状: '容器启动失败，报 example failure (1)。',
  原因: '示例组件配置有误。',
  修复: '```bash\nsudo systemctl restart example\n```',
  验证: '启动一个容器。',
  不适用的情况: '请参考其他运行手册。',
};

const DEFAULT_FRONT_MATTER = (id: string): Record<string, string> => ({
  id,
  title: 'Example failure for tests',
  title_zh: '测试用的示例故障',
  summary: 'A valid runbook used as the base for one broken field at a time.',
  summary_zh: '用于测试的示例运行手册。',
  signatures: "\n  - pattern: 'example failure \\(\\d+\\)'\n    weight: 0.9",
  keywords: '[example, 示例]',
  applies_to: '[containerd 2.0]',
  remediation: 'none',
  sources: '\n  - https://example.org/source',
});

/**
 * A runbook file's text: valid by default, with any front-matter field or section replaced
 * (or removed with `undefined`), so each validation test breaks exactly one thing.
 */
export function runbookText({ id = 'example-failure', frontMatter = {}, sections = {}, sectionsZh = true }: RunbookTextOptions = {}): string {
  const fields = { ...DEFAULT_FRONT_MATTER(id), ...frontMatter };
  const yaml = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
  const body = {
    Symptoms: 'Containers fail with example failure (1).',
    Cause: 'The example component is misconfigured.',
    Fix: '```bash\nsudo systemctl restart example\n```',
    Verify: 'Start a container.',
    'When this is not the fix': 'See other runbooks.',
    ...sections,
  };
  const zh = sectionsZh === false ? {} : { ...DEFAULT_SECTIONS_ZH, ...(sectionsZh === true ? {} : sectionsZh) };
  const text = [...Object.entries(body), ...Object.entries(zh)]
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([heading, content]) => `## ${heading}\n${content}\n`)
    .join('\n');
  return `---\n${yaml}\n---\n# Example\n\n${text}`;
}

/** Writes runbooks into a fresh `knowledge/<area>/` folder and returns the folder. */
export function knowledgeDir(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'shim-fix-kb-'));
  const dir = path.join(root, 'knowledge');
  for (const [relative, text] of Object.entries(files)) {
    const full = path.join(dir, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}
