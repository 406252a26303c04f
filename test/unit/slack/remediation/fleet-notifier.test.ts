import { DeliveryError } from '../../../../lambda/remediation/notifier';
import type { JobChat } from '../../../../lambda/remediation/jobs';
import { DeliveryUnknownError } from '../../../../lambda/slack/post-outcome';
import { slackFleetNotifier } from '../../../../lambda/slack/remediation/fleet-wiring';
import { HOSTILE_MRKDWN, mrkdwnStrings, strayControlCharacters } from '../../../helpers/slack-mrkdwn-check';

type Posted = Parameters<JobChat['postMessage']>[0];

function chatThat(post: (args: Posted) => Promise<{ ts?: string; channel?: string }>): { chat: JobChat; posts: Posted[] } {
  const posts: Posted[] = [];
  const chat: JobChat = {
    postMessage: async (args) => {
      posts.push(args);
      return post(args);
    },
    update: async () => ({}),
    getPermalink: async () => ({}),
    postEphemeral: async () => ({}),
  };
  return { chat, posts };
}

const where = { channel: 'C0OPS', ts: '1764680000.000100' };

describe('fleet thread lines', () => {
  test('a host-reported detail cannot ping a channel or hide a link: the line is escaped', async () => {
    // Arrange
    const { chat, posts } = chatThat(async () => ({ ts: '1764680001.000200', channel: 'C0OPS' }));

    // Act
    await slackFleetNotifier(chat).postInThread(where, `:x: \`i-0abc\` (wave 1): ${HOSTILE_MRKDWN}`);

    // Assess
    expect(posts).toHaveLength(1);
    expect(posts[0]?.thread_ts).toBe(where.ts);
    for (const shown of mrkdwnStrings(posts[0])) expect(strayControlCharacters(shown)).toEqual([]);
    expect(posts[0]?.text).toContain('&lt;!channel&gt;');
  });

  test('a post that timed out after sending is reported as maybe shown, so it is never posted again', async () => {
    // Arrange: the Web API client's wrapping of a request that may have reached Slack.
    const timedOut = Object.assign(new Error('A request error occurred'), { code: 'slack_webapi_request_error', original: new DeliveryUnknownError('no response within 2000 ms') });
    const { chat } = chatThat(async () => Promise.reject(timedOut));

    // Act
    const outcome = slackFleetNotifier(chat).postInThread(where, 'line');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(DeliveryError);
    await expect(outcome).rejects.toMatchObject({ delivered: 'maybe' });
  });

  test('a refused post (rate limited) is reported as surely not shown, worth another try', async () => {
    // Arrange
    const limited = Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 1 });
    const { chat } = chatThat(async () => Promise.reject(limited));

    // Act
    const outcome = slackFleetNotifier(chat).postInThread(where, 'line');

    // Assess
    await expect(outcome).rejects.toMatchObject({ delivered: 'no', retryLater: true });
  });
});
