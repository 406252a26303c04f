import { RunbookInvalidError } from '../../../lambda/core/errors';
import { parseRunbook } from '../../../lambda/core/knowledge/parse-runbook';
import { validateKnowledge } from '../../../lambda/core/knowledge/validate-knowledge';
import { recheckRegexSafety } from '../../../lambda/build/regex-safety';
import { runbookText } from '../../helpers/runbook-text';

const FILE = 'knowledge/test/example-failure.md';

function problemsOf(text: string, file = FILE): string[] {
  try {
    parseRunbook({ file, text });
  } catch (error) {
    if (error instanceof RunbookInvalidError) return error.problems.map((p) => `${p.file}: ${p.field}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('parseRunbook', () => {
  it('turns a valid file into a runbook with every section', () => {
    // Act
    const runbook = parseRunbook({ file: FILE, text: runbookText() });

    // Assess
    expect(runbook).toMatchObject({
      id: 'example-failure',
      area: 'test',
      titleZh: '测试用的示例故障',
      summaryZh: '用于测试的示例运行手册。',
      remediation: 'none',
      signatures: [{ pattern: 'example failure \\(\\d+\\)', weight: 0.9 }],
    });
    expect(runbook.sections.fix).toContain('systemctl restart example');
    expect(runbook.sections.notTheFix).toBe('See other runbooks.');
  });

  it('names the file and the missing field', () => {
    expect(problemsOf(runbookText({ frontMatter: { summary_zh: undefined } }))).toEqual([`${FILE}: summary_zh: is missing`]);
  });

  it('rejects an invalid regular expression and says where', () => {
    const text = runbookText({ frontMatter: { signatures: "\n  - pattern: 'unclosed (group'\n    weight: 0.5" } });
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^knowledge\/test\/example-failure\.md: signatures\[0\]\.pattern: is not a valid regular expression: /)]);
  });

  it('rejects an unknown remediation and lists the allowed ones', () => {
    const text = runbookText({ frontMatter: { remediation: 'reboot-host' } });
    expect(problemsOf(text)).toEqual([`${FILE}: remediation: must be one of restart-container-runtime, check-only, none`]);
  });

  it('rejects a missing section by its heading', () => {
    const text = runbookText({ sections: { Verify: undefined } });
    expect(problemsOf(text)).toEqual([`${FILE}: body: is missing the section "## Verify"`]);
  });

  it('rejects sections out of order', () => {
    const text = runbookText().replace('## Cause', '## Placeholder').replace('## Symptoms', '## Cause').replace('## Placeholder', '## Symptoms');
    expect(problemsOf(text)).toEqual([`${FILE}: body: sections must come in this order: Symptoms, Cause, Fix, Verify, When this is not the fix`]);
  });

  it('requires the fix to carry commands in a code block', () => {
    const text = runbookText({ sections: { Fix: 'Restart it.' }, sectionsZh: { 修复: '重启它。' } });
    expect(problemsOf(text)).toEqual([`${FILE}: body: section "## Fix" must give the exact commands in a code block`]);
  });

  it('rejects an id that differs from the file name', () => {
    expect(problemsOf(runbookText({ id: 'other-id' }))).toEqual([`${FILE}: id: is "other-id" but the file is named example-failure.md: they must match`]);
  });

  it('rejects a weight out of range and an unknown field together', () => {
    const text = runbookText({ frontMatter: { signatures: "\n  - pattern: 'abc def'\n    weight: 1.5", severity: 'high' } });
    expect(problemsOf(text)).toEqual(
      expect.arrayContaining([`${FILE}: signatures[0].weight: must be at most 1`, `${FILE}: front matter: has unknown field(s): severity`]),
    );
  });

  it('requires a Chinese title', () => {
    expect(problemsOf(runbookText({ frontMatter: { title_zh: undefined } }))).toEqual([`${FILE}: title_zh: is missing`]);
    expect(problemsOf(runbookText({ frontMatter: { title_zh: 'Example failure' } }))).toEqual([`${FILE}: title_zh: must contain Chinese text`]);
  });

  it('rejects a summary_zh without Chinese text', () => {
    expect(problemsOf(runbookText({ frontMatter: { summary_zh: 'not chinese at all' } }))).toEqual([`${FILE}: summary_zh: must contain Chinese text`]);
  });

  it('rejects a source that is not an https URL', () => {
    expect(problemsOf(runbookText({ frontMatter: { sources: '[ftp://example.org/x]' } }))).toEqual([`${FILE}: sources[0]: must be an https URL`]);
  });

  it('reports broken YAML as a front matter problem instead of crashing', () => {
    const text = runbookText({ frontMatter: { title: '[unclosed' } });
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^knowledge\/test\/example-failure\.md: front matter: is not valid YAML: /)]);
  });

  it('rejects a file without front matter', () => {
    expect(problemsOf('# Just a heading\n')).toEqual(expect.arrayContaining([`${FILE}: front matter: is missing: the file must start with a --- block`]));
  });
});

describe('parseRunbook: the Chinese body', () => {
  const ZH = `${FILE}: body.zh`;

  it('is required: a runbook without it names the file, body.zh and the five sections', () => {
    expect(problemsOf(runbookText({ sectionsZh: false }))).toEqual([
      `${ZH}: is missing: every runbook needs its Chinese body, the sections "## 症状", "## 原因", "## 修复", "## 验证", "## 不适用的情况" after the English ones`,
    ]);
  });

  it('is read section by section, and the English last section stops where the Chinese starts', () => {
    // Act
    const runbook = parseRunbook({ file: FILE, text: runbookText({ sectionsZh: true }) });

    // Assess
    expect(runbook.sections.notTheFix).toBe('See other runbooks.');
    expect(runbook.sectionsZh).toEqual({
      symptoms: '容器启动失败，报 example failure (1)。',
      cause: '示例组件配置有误。',
      fix: '```bash\nsudo systemctl restart example\n```',
      verify: '启动一个容器。',
      notTheFix: '请参考其他运行手册。',
    });
  });

  it('rejects a missing Chinese section', () => {
    expect(problemsOf(runbookText({ sectionsZh: { 验证: undefined } }))).toEqual([`${ZH}: is missing the section "## 验证"`]);
  });

  it('rejects Chinese sections out of order', () => {
    const text = runbookText({ sectionsZh: true }).replace('## 原因', '## 占位').replace('## 症状', '## 原因').replace('## 占位', '## 症状');
    expect(problemsOf(text)).toEqual([`${ZH}: sections must come in this order: 症状, 原因, 修复, 验证, 不适用的情况`]);
  });

  it('rejects a Chinese section placed among the English ones', () => {
    const text = runbookText({ sectionsZh: { 症状: undefined } }).replace('## Cause', '## 症状\n容器启动失败。\n\n## Cause');
    expect(problemsOf(text)).toEqual([`${ZH}: the Chinese sections must come after all five English sections`]);
  });

  it('rejects a code block that differs, naming the block and the first differing line', () => {
    // Prepare: the English Fix has blocks 1 and 2; the Chinese translates a command inside block 2
    const fix = '```bash\nsudo systemctl status example\n```\n\nThen:\n\n```bash\nsudo systemctl daemon-reload\nsudo systemctl restart example\n```';
    const text = runbookText({
      sections: { Fix: fix },
      sectionsZh: { 修复: fix.replace('Then:', '然后：').replace('restart example', 'restart 示例') },
    });

    // Act / Assess
    expect(problemsOf(text)).toEqual([
      `${ZH}: code block 2 (in "## 修复") differs from the English one at line 2: "sudo systemctl restart 示例" instead of "sudo systemctl restart example"; code blocks must be identical in both languages`,
    ]);
  });

  it('rejects a different language tag as a difference at the opening fence', () => {
    const text = runbookText({ sectionsZh: { 修复: '```sh\nsudo systemctl restart example\n```' } });
    expect(problemsOf(text)).toEqual([expect.stringContaining('code block 1 (in "## 修复") differs from the English one at its opening fence: "```sh" instead of "```bash"')]);
  });

  it('rejects a code block left out of the Chinese', () => {
    const text = runbookText({ sections: { Verify: '```bash\nctr version\n```' }, sectionsZh: { 验证: '启动一个容器即可。' } });
    expect(problemsOf(text)).toEqual([
      `${ZH}: "## 验证" has 0 code block(s) but "## Verify" has 1: both languages must give the same commands`,
    ]);
  });

  it('accepts the same block indented under a list item in one language only', () => {
    const text = runbookText({ sections: { Verify: '- Check:\n\n  ```bash\n  ctr version\n  ```' }, sectionsZh: { 验证: '检查版本：\n\n```bash\nctr version\n```' } });
    expect(problemsOf(text)).toEqual([]);
  });

  it('rejects a Chinese section without Chinese prose (code does not count)', () => {
    const text = runbookText({ sectionsZh: { 原因: 'The example component is misconfigured: `示例`.' } });
    expect(problemsOf(text)).toEqual([`${ZH}: section "## 原因" has no Chinese text outside its code`]);
  });
});

describe('validateKnowledge', () => {
  it('rejects a duplicate id and names the first file that used it', () => {
    // Prepare
    const sources = [
      { file: 'knowledge/a/example-failure.md', text: runbookText() },
      { file: 'knowledge/b/example-failure.md', text: runbookText() },
    ];

    // Act
    const { runbooks, problems } = validateKnowledge(sources);

    // Assess
    expect(runbooks.map((r) => r.id)).toEqual(['example-failure']);
    expect(problems).toEqual([{ file: 'knowledge/b/example-failure.md', field: 'id', message: '"example-failure" is already used by knowledge/a/example-failure.md' }]);
  });

  it('rejects a pattern that can backtrack catastrophically, proven by recheck', () => {
    // Prepare
    const text = runbookText({ frontMatter: { signatures: "\n  - pattern: 'failed.*shim.*version'\n    weight: 0.5" } });

    // Act
    const { problems } = validateKnowledge([{ file: FILE, text }], { checkRegex: recheckRegexSafety });

    // Assess
    expect(problems).toEqual([
      { file: FILE, field: 'signatures[0].pattern', message: expect.stringMatching(/^can backtrack catastrophically \(polynomial time/) },
    ]);
  });

  it('reports an empty knowledge base', () => {
    expect(validateKnowledge([]).problems).toEqual([{ file: 'knowledge/', field: 'runbooks', message: 'no runbook files (*.md) were found' }]);
  });
});
