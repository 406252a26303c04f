import { buildAnswerCard } from '../../../lambda/slack/blocks/answer-card';
import { buildHelp } from '../../../lambda/slack/blocks/help';
import { buildNoMatchCard } from '../../../lambda/slack/blocks/no-match-card';
import { buildSearchResults } from '../../../lambda/slack/blocks/search-results';
import { fakeDiagnoser, runbookFixture } from './fakes';

const diagnoser = fakeDiagnoser();
const actionIds = (blocks: unknown[]): string[] => JSON.stringify(blocks).match(/"action_id":"[^"]+"/g) ?? [];

describe('buildAnswerCard', () => {
  test('shows title, confidence, evidence, cause, fix, verify, when this is not the fix, sources and feedback buttons', () => {
    // Prepare
    const diagnosis = diagnoser.diagnose('unsupported shim version (3): not implemented', { mode: 'channel' });

    // Act
    const card = buildAnswerCard({ runbook: runbookFixture(), diagnosis, remediationEnabled: false });

    // Assess
    const json = JSON.stringify(card.blocks);
    expect(card.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Containerd daemon older than its shim after an upgrade' } });
    for (const part of ['Confidence *95%*', 'Why this runbook', '*Cause*', '*Fix*', '*Verify*', '*When this is not the fix*', 'Sources:']) {
      expect(json).toContain(part);
    }
    expect(json).toContain('```\\nsudo systemctl restart containerd\\n```');
    expect(actionIds(card.blocks)).toEqual(['"action_id":"feedback_up"', '"action_id":"feedback_down"']);
  });

  test('gives the Chinese summary alone when the paste is in Chinese', () => {
    // Prepare
    const zh = fakeDiagnoser({ decide: () => ({ runbook: runbookFixture(), confidence: 0.9, language: 'zh' }) });
    const diagnosis = zh.diagnose('升级以后 unsupported shim version (3)', { mode: 'channel' });

    // Act
    const card = buildAnswerCard({ runbook: runbookFixture(), diagnosis, remediationEnabled: false });

    // Assess
    const summary = JSON.stringify(card.blocks[2]);
    expect(summary).toContain('旧的 containerd 1.7');
    expect(summary).not.toContain('A containerd 1.7 daemon');
    expect(card.text.startsWith(`${runbookFixture().titleZh}: 旧的`)).toBe(true);
  });

  test.each([
    ['restart-container-runtime', true, true],
    ['check-only', true, true],
    ['none', true, false],
    ['restart-container-runtime', false, false],
  ] as const)('remediation %s with remediation configured=%s → "Check an instance…" shown: %s', (remediation, enabled, shown) => {
    // Act
    const card = buildAnswerCard({ runbook: runbookFixture({ remediation }), remediationEnabled: enabled });

    // Assess
    expect(actionIds(card.blocks).includes('"action_id":"remediation_check_open"')).toBe(shown);
  });

  test('evidence from the paste is escaped: it cannot ping anyone', () => {
    // Prepare
    const diagnosis = diagnoser.diagnose('<!channel> <@U0BOSS001> unsupported shim version (3)', { mode: 'channel' });

    // Act
    const card = buildAnswerCard({ runbook: runbookFixture(), diagnosis, remediationEnabled: false });

    // Assess
    expect(JSON.stringify(card)).not.toMatch(/<!channel>|<@U0BOSS001>/);
  });
});

describe('other views', () => {
  test('no confident match lists candidates with a button each and says what to paste', () => {
    // Prepare
    const diagnosis = diagnoser.diagnose('something odd', { mode: 'direct' });

    // Act
    const card = buildNoMatchCard(diagnosis);

    // Assess
    const json = JSON.stringify(card.blocks);
    expect(json).toContain('No confident match');
    expect(actionIds(card.blocks)).toEqual(['"action_id":"runbook_post:shim-version-mismatch"']);
    expect(json).toContain('/shim-fix search');
  });

  test('search results without hits suggest a better query', () => {
    // Act
    const message = buildSearchResults('zzz', []);

    // Assess
    expect(JSON.stringify(message.blocks)).toContain('Try fewer words or one exact error line');
  });

  test('help lists check and restart only where remediation is configured', () => {
    // Act
    const withRemediation = JSON.stringify(buildHelp({ remediationEnabled: true }).blocks);
    const without = JSON.stringify(buildHelp({ remediationEnabled: false }).blocks);

    // Assess
    expect(withRemediation).toContain('/shim-fix check');
    expect(without).not.toContain('/shim-fix check');
  });
});
