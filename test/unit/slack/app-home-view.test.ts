import type { WebClient } from '@slack/web-api';
import { InMemoryIdempotencyStore } from '../../../lambda/aws/idempotency-store';
import { InMemoryKnowledgeGapStore } from '../../../lambda/aws/knowledge-gap-store';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { buildHomeView, type HomeViewInput } from '../../../lambda/slack/app-home/home-view';
import { feedbackListener } from '../../../lambda/slack/listeners/feedback';
import type { SlackDeps } from '../../../lambda/slack/types';
import { blockActionPayload } from '../../helpers/slack-request';
import { fakeDiagnoser, silentLogger } from './fakes';

const BASE: HomeViewInput = { viewer: 'U0VIEWER01', operators: [], allowTag: { key: 'shim-fix', value: 'enabled' }, recent: [], gaps: [] };
const textOf = (input: HomeViewInput) => JSON.stringify(buildHomeView(input).blocks);

describe('buildHomeView', () => {
  test('without operators it says plainly that nobody may act, and says nothing about the viewer', () => {
    // Act
    const text = textOf(BASE);

    // Assess
    expect(text).toContain('*Who may act:* nobody: remediation is off');
    expect(text).not.toContain('operator:');
    expect(text).toContain('No requests yet.');
    expect(text).toContain('No knowledge gaps in the last 30 days.');
  });

  test('a last scan, when there is one, shows when, how many were checked and which hosts will fail', () => {
    // Act
    const text = textOf({ ...BASE, lastScan: { at: Date.parse('2026-12-01T06:00:00Z'), checked: 40, stale: ['i-0aaaaaaaaaaaaaaaa'] } });

    // Assess
    expect(text).toContain('*Last scan:* 2026-12-01 06:00 UTC, 40 instances checked, 1 will fail new containers: `i-0aaaaaaaaaaaaaaaa`.');
    // No schedule was configured: the on-demand scan does not make one.
    expect(text).toContain('*Scheduled scan:* not set up.');
  });

  test('a configured schedule is named, and a last scan lists the first 20 failing hosts, then how many more', () => {
    // Prepare
    const stale = Array.from({ length: 50 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);

    // Act
    const text = textOf({
      ...BASE,
      scanSchedule: 'cron(0 6 * * ? *)',
      lastScan: { at: Date.parse('2026-12-02T06:00:00Z'), checked: 900, stale, staleTotal: 120, target: 'every allow-tagged instance', unreachable: 3 },
    });

    // Assess
    expect(text).toContain('*Scheduled scan:* `cron(0 6 * * ? *)`');
    expect(text).not.toContain('not set up');
    expect(text).toContain('*Last scan:* 2026-12-02 06:00 UTC of `every allow-tagged instance`, 900 instances checked, 3 without an answer, 120 will fail new containers: ');
    expect(text).toContain('`i-00000000000000019` and 100 more.');
    expect(text).not.toContain('i-00000000000000020');
  });

  test('a clean last scan says none will fail, and a hostile target is escaped', () => {
    // Act
    const text = textOf({ ...BASE, lastScan: { at: Date.parse('2026-12-02T06:00:00Z'), checked: 5, stale: [], target: 'tag:<!here>=x&y' } });

    // Assess
    expect(text).toContain('5 instances checked, none will fail new containers.');
    expect(text).toContain('&lt;!here&gt;');
    expect(text).not.toContain('<!here>');
  });

  test('a store that could not be read is said so, and hostile text is escaped', () => {
    // Act
    const text = textOf({
      ...BASE,
      recent: 'unavailable',
      gaps: [{ key: 'k', line: '<!channel> failed & broke', count: 2, abstained: 2, downvoted: 0, lastSeen: 0 }],
    });

    // Assess
    expect(text).toContain('Could not be read just now');
    expect(text).toContain('&lt;!channel&gt; failed &amp; broke');
    expect(text).not.toContain('<!channel>');
  });
});

function depsWithGaps(): { deps: SlackDeps; gaps: InMemoryKnowledgeGapStore } {
  const gaps = new InMemoryKnowledgeGapStore();
  const deps: SlackDeps = {
    diagnoser: fakeDiagnoser(),
    idempotency: new InMemoryIdempotencyStore(),
    logger: silentLogger(),
    appHome: { operators: [], allowTag: { key: 'shim-fix', value: 'enabled' }, requests: new InMemoryRemediationStore(), gaps },
  };
  return { deps, gaps };
}

describe('👎 records a knowledge gap from the paste', () => {
  test('the paste the answer replied to is stored redacted, with the runbook that got the vote', async () => {
    // Prepare
    const { deps, gaps } = depsWithGaps();
    // The one Web API read the listener makes; its wire form is covered through the handler in app-home.test.ts.
    const client = { conversations: { replies: async () => ({ ok: true, messages: [{ text: 'ctr: failed to mount overlay on 10.0.0.9 (token xoxb-1-2-abc)' }] }) } } as unknown as WebClient;
    const body = blockActionPayload({ action_id: 'feedback_down', value: 'overlay-mount' }, { responseUrl: 'http://127.0.0.1:9/r', threadTs: '1800000000.000300' });

    // Act
    await feedbackListener(deps)({ ack: async () => undefined, body, respond: async () => undefined, client } as never);

    // Assess
    const stored = await gaps.listRecent();
    expect(stored.map(({ line, reason, runbook }) => ({ line, reason, runbook }))).toEqual([
      { line: 'ctr: failed to mount overlay on <ip> (token <slack-token>)', reason: 'downvoted', runbook: 'overlay-mount' },
    ]);
  });

  test('an answer posted in place (a DM) records the newest message from a person before it, not the bot\'s own', async () => {
    // Prepare
    const { deps, gaps } = depsWithGaps();
    const asked: unknown[] = [];
    // conversations.history answers newest first; the bot's earlier answer sits between (two pastes in a row).
    const history = [
      { type: 'message', bot_id: 'B0TEST001', text: 'Diagnosis: …' },
      { type: 'message', user: 'U0PERSON01', text: 'failed to start shim: exec: "containerd-shim-runc-v2": executable file not found in $PATH' },
      { type: 'message', user: 'U0PERSON01', text: 'an older paste' },
    ];
    const client = { conversations: { history: async (args: unknown) => (asked.push(args), { ok: true, messages: history }) } } as unknown as WebClient;
    const inPlace = blockActionPayload({ action_id: 'feedback_down', value: 'shim-binary-missing' }, { responseUrl: 'http://127.0.0.1:9/r', messageTs: '1800000000.000400' });
    const body = { ...inPlace, channel: { id: 'D0DIRECT01', name: 'directmessage' }, container: { ...(inPlace.container as object), channel_id: 'D0DIRECT01' } };

    // Act
    await feedbackListener(deps)({ ack: async () => undefined, body, respond: async () => undefined, client } as never);

    // Assess
    expect(asked).toEqual([{ channel: 'D0DIRECT01', latest: '1800000000.000400', inclusive: false, limit: 5 }]);
    const stored = await gaps.listRecent();
    expect(stored.map(({ reason, runbook }) => ({ reason, runbook }))).toEqual([{ reason: 'downvoted', runbook: 'shim-binary-missing' }]);
    expect(stored[0]?.line).toContain('containerd-shim-runc-v2');
  });
});
