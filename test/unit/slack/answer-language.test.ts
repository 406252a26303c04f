import { buildAnswerCard, buildFullRunbookMessages } from '../../../lambda/slack/blocks/answer-card';
import { buildNoMatchCard } from '../../../lambda/slack/blocks/no-match-card';
import { shippedDiagnoser, shippedRunbooks } from '../../helpers/knowledge';
import { runbookFixture } from './fakes';

/** Real diagnoses from the shipped knowledge base, rendered as the Slack cards the bot posts. */
const HEADLINE =
  'docker: Error response from daemon: failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';
const buttonLabels = (blocks: unknown[]): string[] => [...JSON.stringify(blocks).matchAll(/"type":"button","action_id":"[^"]+","text":\{"type":"plain_text","text":"([^"]+)"/g)].map((m) => m[1]!);

describe('Slack answers in the paste’s language', () => {
  const diagnoser = shippedDiagnoser();

  it('answers a Chinese paste of the headline error with a wholly Chinese card: headings, sections, buttons', () => {
    // Prepare
    const diagnosis = diagnoser.diagnose(`升级 containerd 之后容器起不来了：\n${HEADLINE}`, { mode: 'channel' });
    const runbook = shippedRunbooks().find((r) => r.id === 'shim-version-mismatch')!;

    // Act
    const card = buildAnswerCard({ runbook: diagnosis.runbook!, diagnosis, remediationEnabled: true });

    // Assess
    const json = JSON.stringify(card.blocks);
    expect(diagnosis.language).toBe('zh');
    for (const part of ['置信度', '判断依据', '*原因*', '*修复*', '*验证*', '*不适用的情况*', '参考来源']) expect(json).toContain(part);
    for (const part of ['*Cause*', '*Fix*', '*Verify*', 'Why this runbook', 'Sources:']) expect(json).not.toContain(part);
    expect(json).toContain(JSON.stringify(runbook.sectionsZh.cause.split('\n')[0]!).slice(1, 40));
    expect(buttonLabels(card.blocks)).toEqual(expect.arrayContaining(['👍 有帮助', '👎 没帮助', '检查实例…']));
  });

  it('shows the runbook\'s Chinese title and Chinese sections, never the English ones', () => {
    // Prepare
    const diagnosis = { ...diagnoser.diagnose(`升级以后报错：${HEADLINE}`, { mode: 'channel' }) };
    const runbook = runbookFixture();

    // Act
    const card = buildAnswerCard({ runbook, diagnosis, remediationEnabled: false });

    // Assess
    const json = JSON.stringify(card.blocks);
    expect(card.blocks[0]).toMatchObject({ type: 'header', text: { text: runbook.titleZh } });
    expect(json).toContain(`*原因*\\n${runbook.sectionsZh.cause}`);
    expect(json).not.toContain(runbook.sections.cause);
    expect(json).not.toContain(runbook.title);
  });

  it('names both runbooks of an ambiguous error in one card, with the command that tells them apart, in English and Chinese', () => {
    // Act
    const english = buildNoMatchCard(diagnoser.diagnose('unknown service runtime.v1alpha2.RuntimeService', { mode: 'channel' }));
    const chinese = buildNoMatchCard(diagnoser.diagnose('升级以后 kubelet 起不来： unknown service runtime.v1alpha2.RuntimeService', { mode: 'channel' }));

    // Assess
    const en = JSON.stringify(english.blocks);
    const zh = JSON.stringify(chinese.blocks);
    expect(en).toContain('Two runbooks fit this error equally');
    expect(en).toContain('Run this to tell them apart:');
    expect(en).toContain('ctr plugins ls');
    expect(buttonLabels(english.blocks)).toEqual(['Show runbook', 'Show runbook']);
    expect(en).toContain('"value":"cri-plugin-disabled"');
    expect(en).toContain('"value":"cri-v1alpha2-removed"');
    expect(zh).toContain('这个错误同时符合两份运行手册');
    expect(zh).toContain('运行下面的命令区分');
    expect(buttonLabels(chinese.blocks)).toEqual(['查看手册', '查看手册']);
  });

  it('offers candidates as a question and says what to paste, in Chinese for a Chinese question', () => {
    // Act
    const card = buildNoMatchCard(diagnoser.diagnose('升级 containerd 以后容器都起不来了，怎么办？', { mode: 'direct' }));

    // Assess
    const json = JSON.stringify(card.blocks);
    expect(json).toContain('这段话里没有错误信息，只能猜测。是下面哪一种情况吗？');
    expect(json).toContain('请补充以下内容');
    expect(json).toContain('完整的错误行');
    expect(buttonLabels(card.blocks).every((label) => label === '查看手册')).toBe(true);
    expect(card.text).toBe('没有确定的匹配');
  });

  it('renders a runbook in Chinese without a diagnosis when asked to (a click on a Chinese card), the full runbook too', () => {
    // Prepare
    const runbook = shippedRunbooks().find((r) => r.id === 'cri-plugin-disabled')!;

    // Act
    const card = JSON.stringify(buildAnswerCard({ runbook, remediationEnabled: false, language: 'zh' }).blocks);
    const full = JSON.stringify(buildFullRunbookMessages(runbook, 'zh').flatMap((message) => message.blocks));

    // Assess
    for (const json of [card, full]) {
      expect(json).toContain('*原因*');
      expect(json).not.toContain('*Cause*');
    }
    expect(full).toContain('*症状*');
    expect(full).toContain(/\p{Script=Han}{4,}/u.exec(runbook.sectionsZh.symptoms)![0]);
  });

  it('says what a long paste left out', () => {
    // Prepare
    const routine = 'Nov 10 12:00:00 node-1 containerd[812]: level=info msg="loading plugin" type=io.containerd.x\n';
    const diagnosis = diagnoser.diagnose(`${routine.repeat(700)}${HEADLINE}`, { mode: 'channel' });

    // Act
    const card = buildAnswerCard({ runbook: diagnosis.runbook!, diagnosis, remediationEnabled: false });

    // Assess
    expect(JSON.stringify(card.blocks[1])).toMatch(/I read the part that holds the error and left out [\d,]+/);
  });
});
