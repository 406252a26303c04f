import { runCli } from '../../helpers/cli';
import { shippedRunbooks } from '../../helpers/knowledge';

/** Issue 12 point 3: the CLI's search and show speak Chinese to a Chinese reader; English stays as it was. */
const headline = shippedRunbooks().find((runbook) => runbook.id === 'shim-version-mismatch')!;

describe('shim-fix search in the query’s language', () => {
  it('lists Chinese titles and summaries for a Chinese query, and says how to show one in Chinese', async () => {
    // Act
    const run = await runCli(['search', '升级后 shim 版本不支持']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`shim-version-mismatch: ${headline.titleZh}\n  ${headline.summaryZh}`);
    expect(run.stdout).not.toContain(headline.title);
    expect(run.stdout).toContain('npx shim-fix show <ID> --lang zh');
  });

  it('gives Chinese titles in --json for a Chinese query and names the language', async () => {
    // Act
    const run = await runCli(['search', '--json', 'shim 版本']);

    // Assess
    const hits = JSON.parse(run.stdout) as { runbook: string; title: string; language: string }[];
    const hit = hits.find((item) => item.runbook === headline.id);
    expect(hit).toMatchObject({ title: headline.titleZh, language: 'zh' });
  });

  it('says "no results" in Chinese for a Chinese query', async () => {
    // Act
    const run = await runCli(['search', '鸡蛋']);

    // Assess
    expect(run.stdout).toMatch(/^没有与“鸡蛋”匹配的运行手册。/);
  });

  it('keeps an English query as it was, and --lang overrides the query’s language', async () => {
    // Act
    const english = await runCli(['search', 'unsupported shim version']);
    const asked = await runCli(['search', '--lang', 'zh', 'unsupported shim version']);

    // Assess
    expect(english.stdout).toMatch(/^shim-version-mismatch: /);
    expect(english.stdout).toContain(`shim-version-mismatch: ${headline.title}\n  ${headline.summary}`);
    expect(english.stdout).not.toMatch(/\p{Script=Han}/u);
    expect(asked.stdout).toContain(`shim-version-mismatch: ${headline.titleZh}`);
  });

  it('refuses a language it does not have', async () => {
    // Act
    const run = await runCli(['search', '--lang', 'fr', 'shim']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--lang must be en or zh, got "fr"');
  });
});

describe('shim-fix show --lang', () => {
  it('prints the Chinese title and the Chinese body with --lang zh, the English ones without', async () => {
    // Act
    const chinese = await runCli(['show', '--lang', 'zh', headline.id]);
    const english = await runCli(['show', headline.id]);

    // Assess
    expect(chinese.stdout.split('\n')[0]).toBe(`${headline.id}: ${headline.titleZh}`);
    expect(chinese.stdout).toContain('原因\n');
    expect(chinese.stdout).toContain(headline.sectionsZh.cause.split('\n')[0]!);
    expect(chinese.stdout).not.toContain(headline.sections.cause.split('\n')[0]!);
    expect(english.stdout.split('\n')[0]).toBe(`${headline.id}: ${headline.title}`);
    expect(english.stdout).toContain(headline.sections.cause.split('\n')[0]!);
    expect(english.stdout).not.toMatch(/\p{Script=Han}/u);
  });

  it('names an unknown id in Chinese with --lang zh', async () => {
    // Act
    const run = await runCli(['show', '--lang', 'zh', 'nope']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('没有运行手册 "nope"。已有：');
  });

  it('a Chinese answer naming two runbooks points to show with --lang zh', async () => {
    // Act
    const run = await runCli(['ask', '升级以后 kubeadm init 报错了： unknown service runtime.v1alpha2.RuntimeService']);

    // Assess
    expect(run.stdout).toContain('npx shim-fix show cri-plugin-disabled --lang zh');
  });
});
