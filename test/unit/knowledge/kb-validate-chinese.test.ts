import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli';
import { knowledgeDir, runbookText } from '../../helpers/runbook-text';

/**
 * The Chinese body is required: `kb validate` and `kb build` refuse a knowledge base where one runbook lacks
 * it, lacks one of its sections or gives other commands than the English, and name the file and the field.
 */
describe('kb validate / kb build: the Chinese body is required', () => {
  const broken = {
    'shim/no-chinese.md': runbookText({ id: 'no-chinese', sectionsZh: false }),
    'shim/no-verify-zh.md': runbookText({ id: 'no-verify-zh', sectionsZh: { 验证: undefined } }),
    'shim/other-command.md': runbookText({ id: 'other-command', sectionsZh: { 修复: '```bash\nsudo systemctl restart other\n```' } }),
    'shim/complete.md': runbookText({ id: 'complete' }),
  };
  const expected = [
    'knowledge/shim/no-chinese.md: body.zh: is missing: every runbook needs its Chinese body, the sections "## 症状", "## 原因", "## 修复", "## 验证", "## 不适用的情况" after the English ones',
    'knowledge/shim/no-verify-zh.md: body.zh: is missing the section "## 验证"',
    'knowledge/shim/other-command.md: body.zh: code block 1 (in "## 修复") differs from the English one at line 1: "sudo systemctl restart other" instead of "sudo systemctl restart example"; code blocks must be identical in both languages',
  ];

  it('kb validate exits 1 and names each file and field', async () => {
    // Prepare
    const dir = knowledgeDir(broken);

    // Act
    const run = await runCli(['kb', 'validate', '--knowledge', dir]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('3 problem(s) in the knowledge base');
    for (const line of expected) expect(run.stderr).toContain(line);
    expect(run.stderr).not.toContain('complete.md');
  });

  it('kb build refuses the same knowledge base and writes no bundle', async () => {
    // Prepare
    const dir = knowledgeDir(broken);
    const out = path.join(path.dirname(dir), 'generated', 'knowledge.json');

    // Act
    const run = await runCli(['kb', 'build', '--knowledge', dir, '--out', out]);

    // Assess
    expect(run.code).toBe(1);
    for (const line of expected) expect(run.stderr).toContain(line);
    expect(existsSync(out)).toBe(false);
  });

  it('kb build accepts runbooks with both languages complete', async () => {
    // Prepare
    const dir = knowledgeDir({ 'shim/complete.md': runbookText({ id: 'complete' }) });
    const out = path.join(path.dirname(dir), 'generated', 'knowledge.json');

    // Act
    const run = await runCli(['kb', 'build', '--knowledge', dir, '--out', out]);

    // Assess
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(out)).toBe(true);
  });
});
