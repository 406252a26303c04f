import { buildAnswerCard } from '../../../lambda/slack/blocks/answer-card';
import { buildNoMatchCard } from '../../../lambda/slack/blocks/no-match-card';
import { runCli } from '../../helpers/cli';
import { shippedDiagnoser, shippedRunbooks } from '../../helpers/knowledge';

/** A Chinese paste gets the runbook's Chinese title wherever a title is shown: CLI, answer card, candidate list. */
const HEADLINE =
  'docker: Error response from daemon: failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';
const CHINESE_PASTE = `升级 containerd 之后容器起不来了，报错如下：\n${HEADLINE}\n请问怎么处理？`;

describe('Chinese titles', () => {
  const runbook = shippedRunbooks().find((r) => r.id === 'shim-version-mismatch')!;

  it('every shipped runbook has a Chinese title of its own', () => {
    for (const each of shippedRunbooks()) {
      expect(each.titleZh).toMatch(/\p{Script=Han}/u);
      expect(each.titleZh).not.toBe(each.title);
    }
  });

  it('the CLI answers a Chinese paste of the headline error under the Chinese title', async () => {
    // Act
    const run = await runCli(['ask'], CHINESE_PASTE);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(new RegExp(`^✔ shim-version-mismatch: ${runbook.titleZh} \\(置信度 \\d+%\\)$`));
    expect(run.stdout).not.toContain(runbook.title);
  });

  it('the Slack answer card to a Chinese paste has the Chinese title as header and fallback text', () => {
    // Prepare
    const diagnosis = shippedDiagnoser().diagnose(CHINESE_PASTE, { mode: 'channel' });

    // Act
    const card = buildAnswerCard({ runbook: diagnosis.runbook!, diagnosis, remediationEnabled: true });

    // Assess
    expect(diagnosis.language).toBe('zh');
    expect(card.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: runbook.titleZh, emoji: false } });
    expect(card.text.startsWith(`${runbook.titleZh}: `)).toBe(true);
    expect(JSON.stringify(card)).not.toContain(runbook.title);
  });

  it('the candidate list of an unsure Chinese answer names each runbook by its Chinese title', () => {
    // Prepare: prose without an error string, so the bot can only offer candidates
    const diagnosis = shippedDiagnoser().diagnose('升级 containerd 以后新容器都起不来，shim 好像不对', { mode: 'direct' });

    // Act
    const json = JSON.stringify(buildNoMatchCard(diagnosis).blocks);

    // Assess
    expect(diagnosis.candidates.length).toBeGreaterThan(0);
    for (const candidate of diagnosis.candidates.slice(0, 3)) {
      expect(json).toContain(`*${candidate.runbook.titleZh}*`);
      expect(json).not.toContain(`*${candidate.runbook.title}*`);
    }
  });
});
