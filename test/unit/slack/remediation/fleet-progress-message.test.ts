import type { KnownBlock } from '@slack/types';
import { blockChars, messageChars, SLACK_LIMITS } from '../../../../lambda/slack/blocks/limits';
import type { FleetProgressSnapshot } from '../../../../lambda/remediation/fleet/progress';
import { buildFleetProgressMessage, FLEET_TABLE_ACTION_ID, formatElapsed, progressBar } from '../../../../lambda/slack/remediation/fleet-progress-message';
import { buildFleetTableMessages, maxTablePosts, type FleetTableRow } from '../../../../lambda/slack/remediation/fleet-table-message';
import { buttonValue, blockKitProblems } from '../../../helpers/block-kit';
import { HOSTILE_MRKDWN, mrkdwnStrings, strayControlCharacters } from '../../../helpers/slack-mrkdwn-check';

const START = Date.UTC(2026, 11, 2, 14, 0, 0);

function snapshot(overrides: Partial<FleetProgressSnapshot> = {}): FleetProgressSnapshot {
  return {
    requestId: 'r-fleet1',
    target: 'tag:env=prod',
    phase: 'restart',
    total: 1_000,
    done: 400,
    failed: 30,
    skipped: 50,
    inFlight: 50,
    wave: { index: 3, count: 20 },
    startedAt: START,
    now: START + 252_000,
    finished: false,
    ...overrides,
  };
}

const text = (message: unknown): string => mrkdwnStrings(message).join('\n');
const instanceId = (n: number): string => `i-${n.toString(16).padStart(17, '0')}`;

describe('fleet progress message', () => {
  test('shows the bar, done / total, failed, skipped, in flight, elapsed, the wave and the table button', () => {
    // Act
    const message = buildFleetProgressMessage(snapshot());

    // Assess
    const shown = text(message);
    expect(shown).toContain('`▓▓▓▓░░░░░░` *48 %*');
    expect(shown).toContain('*Done*\n400 / 1,000');
    expect(shown).toContain('*Failed*\n:x: 30');
    expect(shown).toContain('*Skipped*\n50');
    expect(shown).toContain('*In flight*\n50');
    expect(shown).toContain('*Elapsed*\n4 min 12 s');
    expect(shown).toContain('*Wave*\n3 of 20');
    expect(shown).toContain('Restarting containerd on 1,000 hosts* in `tag:env=prod`');
    expect(buttonValue(message.blocks, FLEET_TABLE_ACTION_ID)).toBe('r-fleet1');
    expect(blockKitProblems(message)).toEqual([]);
  });

  test('never says 100 % while a host is unfinished, and says finished at the end', () => {
    // Act
    const almost = buildFleetProgressMessage(snapshot({ done: 998, failed: 1, skipped: 0, inFlight: 1 }));
    const finished = buildFleetProgressMessage(snapshot({ done: 999, failed: 1, skipped: 0, inFlight: 0, finished: true }));

    // Assess
    expect(text(almost)).toContain('*99 %*');
    expect(text(almost)).not.toContain('▓▓▓▓▓▓▓▓▓▓');
    expect(text(finished)).toContain('`▓▓▓▓▓▓▓▓▓▓` *100 %*');
    expect(text(finished)).toContain(':white_check_mark: *Finished:*');
    expect(text(finished)).toContain('final counts');
  });

  test('a halted rollout says why, escaped, and the check phase has no wave', () => {
    // Act
    const halted = buildFleetProgressMessage(snapshot({ haltedReason: `stopped after the first failure on ${HOSTILE_MRKDWN}`, finished: true }));
    const checking = buildFleetProgressMessage(snapshot({ phase: 'check', wave: { index: 0, count: 0 }, target: `tag:team=${HOSTILE_MRKDWN}` }));

    // Assess
    expect(text(halted)).toContain(':octagonal_sign: *Stopped:*');
    expect(text(halted)).toContain('stopped after the first failure on &lt;!channel&gt;');
    expect(text(checking)).toContain('Checking 1,000 hosts');
    expect(text(checking)).not.toContain('*Wave*');
    for (const message of [halted, checking]) {
      expect(mrkdwnStrings(message).flatMap(strayControlCharacters)).toEqual([]);
      expect(blockKitProblems(message)).toEqual([]);
    }
  });

  test('hosts whose outcome is unknown are shown and count as finished', () => {
    // Act
    const message = buildFleetProgressMessage(snapshot({ done: 950, failed: 0, skipped: 0, unknown: 50, inFlight: 0, finished: true }));

    // Assess
    expect(text(message)).toContain('*Unknown*\n:grey_question: 50');
    expect(text(message)).toContain('*100 %*');
    expect(text(buildFleetProgressMessage(snapshot()))).not.toContain('*Unknown*');
  });

  test('its size does not grow with the fleet', () => {
    // Act
    const small = buildFleetProgressMessage(snapshot({ total: 3, done: 1, failed: 0, skipped: 0, inFlight: 1 }));
    const large = buildFleetProgressMessage(snapshot({ total: 1_000 }));

    // Assess
    expect(large.blocks).toHaveLength(small.blocks.length);
    expect(messageChars(large)).toBeLessThan(2_000);
  });

  test('bar and elapsed formats', () => {
    expect(progressBar(0)).toBe('░░░░░░░░░░');
    expect(progressBar(0.5)).toBe('▓▓▓▓▓░░░░░');
    expect(progressBar(0.999)).toBe('▓▓▓▓▓▓▓▓▓░');
    expect(progressBar(1)).toBe('▓▓▓▓▓▓▓▓▓▓');
    expect(formatElapsed(45_900)).toBe('45 s');
    expect(formatElapsed(3_780_000)).toBe('1 h 3 min');
    expect(formatElapsed(-5)).toBe('0 s');
  });
});

describe('fleet per-instance table', () => {
  /** The longest a host can make a row: a detail of 3,000 `&` (five-fold when escaped), hostile outcome text. */
  const worstRows: FleetTableRow[] = Array.from({ length: 1_000 }, (_, n) => ({
    instanceId: instanceId(n),
    outcome: n % 10 === 0 ? 'failed' : n % 7 === 0 ? `odd ${HOSTILE_MRKDWN}` : 'restarted',
    detail: `${HOSTILE_MRKDWN} ${'&'.repeat(3_000)}`,
  }));

  test('1,000 instances with the longest details fit in a bounded number of posts, every row exactly once, nothing cut', () => {
    // Act
    const posts = buildFleetTableMessages({ requestId: 'r-fleet1', target: `tag:env=${HOSTILE_MRKDWN}`, rows: worstRows });

    // Assess
    expect(posts.length).toBeLessThanOrEqual(maxTablePosts(1_000));
    expect(maxTablePosts(1_000)).toBeLessThanOrEqual(7);
    const rowText = posts.flatMap((post) => post.blocks.slice(1)).map((block) => JSON.stringify(block)).join('\n');
    for (let n = 0; n < 1_000; n++) expect(rowText.split(`\`${instanceId(n)}\``)).toHaveLength(2);
    for (const post of posts) {
      expect(blockKitProblems(post)).toEqual([]);
      expect(messageChars(post)).toBeLessThanOrEqual(SLACK_LIMITS.messageChars);
      expect(JSON.stringify(post)).not.toContain('Shortened');
      expect(mrkdwnStrings(post).flatMap(strayControlCharacters)).toEqual([]);
    }
  });

  test('typical rows take three posts, failures first', () => {
    // Prepare
    const rows: FleetTableRow[] = Array.from({ length: 1_000 }, (_, n) => ({
      instanceId: instanceId(n),
      outcome: n === 500 ? 'failed' : n > 900 ? 'skipped' : 'restarted',
      detail: n === 500 ? 'containerd did not come back after the restart' : n > 900 ? 'stopped after the first failure' : 'containerd 2.0.4 running',
    }));

    // Act
    const posts = buildFleetTableMessages({ requestId: 'r-fleet1', target: 'tag:env=prod', rows });

    // Assess
    expect(posts.length).toBeLessThanOrEqual(3);
    const firstRows = (posts[0]?.blocks[1] as KnownBlock & { text: { text: string } }).text.text.split('\n');
    expect(firstRows[0]).toContain(`\`${instanceId(500)}\` *failed* · containerd did not come back`);
    expect(firstRows[1]).toContain('*skipped*');
    expect(text(posts[0])).toContain('(part 1 of');
    expect(text(posts[0])).toContain('1000 instances: 1 failed, 900 restarted, 99 skipped');
  });

  test('an empty request still answers', () => {
    const posts = buildFleetTableMessages({ requestId: 'r-fleet1', target: 'tag:env=prod', rows: [] });
    expect(posts).toHaveLength(1);
    expect(text(posts[0])).toContain('No instances in this request');
    expect(blockChars(posts[0]?.blocks[0] as KnownBlock)).toBeGreaterThan(0);
  });
});
