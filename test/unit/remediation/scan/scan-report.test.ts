import { InMemoryRemediationStore } from '../../../../lambda/aws/in-memory-remediation-store';
import { buildScanReport } from '../../../../lambda/remediation/scan/scan-report';
import { ScanCompletion } from '../../../../lambda/slack/remediation/scan-completion';
import { SCAN_COPY } from '../../../../lambda/slack/remediation/scan-command';
import { SCAN_JOB_COPY } from '../../../../lambda/slack/remediation/scan-job';
import { buildScanReportMessage, scanCleanText, SCAN_RESTART_ACTION_ID } from '../../../../lambda/slack/remediation/scan-report-message';
import { HOSTILE_MRKDWN, mrkdwnStrings, strayControlCharacters } from '../../../helpers/slack-mrkdwn-check';
import { blockKitProblems, buttonValue } from '../../../helpers/block-kit';
import { silentLogger } from '../../slack/fakes';
import { HEALTHY, scanIds, scanSummary, SHIM_NEWER, STALE, UNREACHABLE } from './scan-summary';

function recordingChat(failWith?: Error) {
  const posts: Array<{ channel: string; text: string; blocks?: unknown[] }> = [];
  const ephemerals: Array<{ channel: string; user: string; text: string }> = [];
  return {
    posts,
    ephemerals,
    chat: {
      postMessage: async (args: { channel: string; text: string; blocks?: unknown[] }) => {
        if (failWith) throw failWith;
        posts.push(args);
        return { ok: true };
      },
      postEphemeral: async (args: { channel: string; user: string; text: string }) => {
        ephemerals.push(args);
        return { ok: true };
      },
    },
  };
}

describe('the scan report', () => {
  test('a fleet with stale daemons and a newer shim: how many, which, why, and a button for the stale ones only', () => {
    // Prepare
    const stale = scanIds(14);
    const summary = scanSummary([...stale.map((id, i) => STALE(id, i === 0)), SHIM_NEWER('i-0ffffffffffffffff'), ...scanIds(30, 100).map(HEALTHY), UNREACHABLE('i-0eeeeeeeeeeeeeeee')]);

    // Act
    const report = buildScanReport(summary);
    const message = report && buildScanReportMessage(report);
    const text = JSON.stringify(message?.blocks);

    // Assess
    expect(report?.failing).toBe(15);
    expect(report?.record.staleDaemon).toEqual(stale);
    expect(text).toContain('15 hosts will fail new containers');
    expect(text).toContain('46 checked, 1 without an answer');
    expect(text).toContain('*14 stale daemons after an upgrade:*');
    expect(text).toContain('*1 shim newer than its daemon:*');
    // The first ten ids, then how many more.
    expect(text).toContain(`\`${stale[9] ?? ''}\` and 4 more`);
    expect(text).not.toContain(stale[10] ?? 'x');
    expect(text).toContain('Runbook `shim-version-mismatch`');
    // The button restarts-after-checking the stale daemons only (the newer shim needs a package, not a restart).
    expect(text).toContain('Restart the 14 stale hosts…');
    expect(buttonValue(message?.blocks, SCAN_RESTART_ACTION_ID)).toBe('r-scan0000001');
    expect(message && blockKitProblems(message)).toEqual([]);
  });

  test('only shims newer than their daemons: a report, but no restart button (a restart would not help)', () => {
    // Act
    const report = buildScanReport(scanSummary([SHIM_NEWER('i-0ffffffffffffffff'), HEALTHY('i-0eeeeeeeeeeeeeeee')]));
    const message = report && buildScanReportMessage(report);

    // Assess
    expect(report?.failing).toBe(1);
    expect(JSON.stringify(message?.blocks)).not.toContain(SCAN_RESTART_ACTION_ID);
  });

  test('a clean fleet (healthy, unreachable, other verdicts) has no report', () => {
    // Prepare
    const other = { instanceId: 'i-0dddddddddddddddd', category: 'restart-will-not-help', verdict: 'config-rejected', detail: 'rejected' } as const;
    // A stale-daemon verdict without a measurement does not count: only a check that answered decides.
    const noMeasurement = { ...STALE('i-0cccccccccccccccc'), category: 'unreachable' } as const;

    // Act
    const report = buildScanReport(scanSummary([HEALTHY('i-0aaaaaaaaaaaaaaaa'), UNREACHABLE('i-0bbbbbbbbbbbbbbbb'), other, noMeasurement]));

    // Assess
    expect(report).toBeUndefined();
  });

  test('host-reported text is escaped: no mention, no link, no fake line', () => {
    // Prepare
    const hostile = { ...STALE('i-0aaaaaaaaaaaaaaaa'), detail: 'running <!channel> & <https://evil.example|click>\n*Runs:* rm -rf' };
    const summary = scanSummary([hostile], { target: 'tag:team=<@U0ADMIN01>' });

    // Act
    const message = buildScanReportMessage(buildScanReport(summary) ?? fail('no report'));
    const text = JSON.stringify(message);

    // Assess
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
    expect(text).not.toContain('<@U0ADMIN01>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; Runs: rm -rf');
  });

  test('1,000 stale hosts still fit one message, and the button carries the scan id, not the ids', () => {
    // Act
    const message = buildScanReportMessage(buildScanReport(scanSummary(scanIds(1000).map((id) => STALE(id)))) ?? fail('no report'));

    // Assess
    expect(blockKitProblems(message)).toEqual([]);
    expect(buttonValue(message.blocks, SCAN_RESTART_ACTION_ID)).toBe('r-scan0000001');
    expect(JSON.stringify(message.blocks)).toContain('and 990 more');
  });
});

describe('ScanCompletion', () => {
  test('stale hosts: the scan is stored with every stale id, then reported to the scan channel once', async () => {
    // Prepare
    const store = new InMemoryRemediationStore();
    const { chat, posts, ephemerals } = recordingChat();
    const completion = new ScanCompletion({ store, chat, logger: silentLogger() });

    // Act
    await completion.complete(scanSummary([STALE('i-0aaaaaaaaaaaaaaaa'), HEALTHY('i-0bbbbbbbbbbbbbbbb')], { requestedBy: 'U0OPERATOR' }));

    // Assess
    expect(posts.map((post) => post.channel)).toEqual(['C0SCANS001']);
    expect(ephemerals).toEqual([]);
    expect((await store.getScan('r-scan0000001'))?.staleDaemon).toEqual(['i-0aaaaaaaaaaaaaaaa']);
    expect((await store.getLastScan())?.checked).toBe(2);
  });

  test('a clean scheduled scan posts nothing at all; a clean on-demand scan tells its requester only', async () => {
    // Prepare
    const store = new InMemoryRemediationStore();
    const { chat, posts, ephemerals } = recordingChat();
    const completion = new ScanCompletion({ store, chat, logger: silentLogger() });
    const clean = [HEALTHY('i-0aaaaaaaaaaaaaaaa'), UNREACHABLE('i-0bbbbbbbbbbbbbbbb')];

    // Act
    await completion.complete(scanSummary(clean, { checkRequestId: 'r-scheduled' }));
    const afterScheduled = { posts: posts.length, ephemerals: ephemerals.length };
    await completion.complete(scanSummary(clean, { checkRequestId: 'r-ondemand', requestedBy: 'U0OPERATOR', completedAt: '2026-12-02T07:00:00.000Z' }));

    // Assess
    expect(afterScheduled).toEqual({ posts: 0, ephemerals: 0 });
    expect(posts).toEqual([]);
    expect(ephemerals).toEqual([{ channel: 'C0SCANS001', user: 'U0OPERATOR', text: expect.stringContaining('clean: 2 hosts checked, none will fail new containers (1 without an answer') }]);
    expect((await store.getLastScan())?.scanId).toBe('r-ondemand');
  });

  test('a restart fleet check is not a scan: nothing stored, nothing posted', async () => {
    // Prepare
    const store = new InMemoryRemediationStore();
    const { chat, posts } = recordingChat();

    // Act
    await new ScanCompletion({ store, chat, logger: silentLogger() }).complete(scanSummary([STALE('i-0aaaaaaaaaaaaaaaa')], { purpose: 'restart' }));

    // Assess
    expect(posts).toEqual([]);
    expect(await store.getLastScan()).toBeUndefined();
  });

  test('a channel the bot is not in: the scan is still recorded and the failure is logged with what to fix', async () => {
    // Prepare
    const store = new InMemoryRemediationStore();
    const failure = Object.assign(new Error('An API error occurred: not_in_channel'), { code: 'slack_webapi_platform_error', data: { ok: false, error: 'not_in_channel' } });
    const { chat } = recordingChat(failure);
    const logger = silentLogger();

    // Act
    await new ScanCompletion({ store, chat, logger }).complete(scanSummary([STALE('i-0aaaaaaaaaaaaaaaa')]));

    // Assess
    expect(await store.getScan('r-scan0000001')).toBeDefined();
    expect(logger.entries).toEqual([expect.objectContaining({ level: 'error', message: 'could not post the scan report', data: expect.objectContaining({ slackError: 'not_in_channel', failing: 1 }) })]);
  });
});

describe('every scan message is escaped mrkdwn', () => {
  const hostileSummary = scanSummary([{ ...STALE('i-0aaaaaaaaaaaaaaaa'), detail: HOSTILE_MRKDWN }, { ...SHIM_NEWER('i-0bbbbbbbbbbbbbbbb'), detail: HOSTILE_MRKDWN, runbookId: HOSTILE_MRKDWN }], {
    target: `tag:team=${HOSTILE_MRKDWN}`,
    requestedBy: 'U0OPERATOR',
  });
  const messages: Array<[string, unknown]> = [
    ['report', buildScanReportMessage(buildScanReport(hostileSummary) ?? fail('no report'))],
    ['clean reply', { text: scanCleanText({ target: HOSTILE_MRKDWN, checked: 3, unreachable: 1 }) }],
    ['scanning', { text: SCAN_COPY.scanning(HOSTILE_MRKDWN) }],
    ['restarting', { text: SCAN_COPY.restarting(HOSTILE_MRKDWN) }],
    ['usage', { text: SCAN_COPY.usage }],
    ['queue unavailable', { text: SCAN_COPY.queueUnavailable }],
    ...Object.entries(SCAN_JOB_COPY).map(([name, copy]): [string, unknown] => [name, { text: typeof copy === 'string' ? copy : copy('r-abc') }]),
  ];

  test.each(messages)('%s', (_name, message) => {
    // Act
    const stray = mrkdwnStrings(message).flatMap(strayControlCharacters);

    // Assess
    expect(stray).toEqual([]);
  });
});
