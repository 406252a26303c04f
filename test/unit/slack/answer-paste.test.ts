import type { WebClient } from '@slack/web-api';
import { InMemoryIdempotencyStore, type IdempotencyStore } from '../../../lambda/aws/idempotency-store';
import { ANSWER_LEASE_SECONDS, answerPaste, type AnswerPasteInput } from '../../../lambda/slack/answer-paste';
import type { SlackDeps } from '../../../lambda/slack/types';
import { fakeDiagnoser, silentLogger, type RecordingLogger } from './fakes';

const PASTE = 'failed to create task: unsupported shim version (3): not implemented';

/** A chat client that records posts; `fail` makes the next post reject. */
function fakeClient(): { client: WebClient; posts: unknown[]; fail: (error: Error) => void } {
  const posts: unknown[] = [];
  let nextError: Error | undefined;
  const client = {
    chat: {
      postMessage: async (args: unknown) => {
        if (nextError) {
          const error = nextError;
          nextError = undefined;
          throw error;
        }
        posts.push(args);
        return { ok: true, ts: `1800000000.${String(posts.length).padStart(6, '0')}` };
      },
    },
  } as unknown as WebClient;
  return { client, posts, fail: (error) => (nextError = error) };
}

/** A store whose every call rejects, as DynamoDB does during an outage. */
function unreachableStore(): IdempotencyStore {
  const down = async (): Promise<never> => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'Error', code: 'ECONNREFUSED' });
  };
  return { description: 'dynamodb:down', claim: down, complete: down, release: down };
}

function input(client: WebClient, eventId = 'Ev1'): AnswerPasteInput {
  return { text: PASTE, mode: 'channel', target: { channel: 'C1', messageTs: '1.000001', threadTs: '1.000001' }, client, eventId, trigger: 'channel_message' };
}

let logger: RecordingLogger;
beforeEach(() => {
  logger = silentLogger();
});

describe('answerPaste when the idempotency store fails or the invocation dies', () => {
  test('an unreachable store does not silence the answer: it is posted once, with a fail-open warning', async () => {
    // Prepare
    const deps: SlackDeps = { diagnoser: fakeDiagnoser(), idempotency: unreachableStore(), logger };
    const { client, posts } = fakeClient();

    // Act
    const outcome = await answerPaste(deps, input(client));

    // Assess
    expect(outcome.kind).toBe('answered');
    expect(posts).toHaveLength(1);
    expect(logger.entries.filter((entry) => entry.level === 'warn' && entry.data.event === 'dedupe_fail_open')).toHaveLength(1);
  });

  test('an invocation cut off after claiming is finished by the next delivery once the lease has run out, and only then', async () => {
    // Prepare: the first delivery claimed both keys and died before posting.
    let clock = 1_800_000_000_000;
    const idempotency = new InMemoryIdempotencyStore({ now: () => clock });
    await idempotency.claim('event:Ev1', 7200, { leaseSeconds: ANSWER_LEASE_SECONDS });
    await idempotency.claim('reply:C1:1.000001', 86400, { leaseSeconds: ANSWER_LEASE_SECONDS });
    const deps: SlackDeps = { diagnoser: fakeDiagnoser(), idempotency, logger };
    const { client, posts } = fakeClient();

    // Act: Slack's immediate retry, then the one a minute later, then one more.
    const immediate = await answerPaste(deps, input(client));
    clock += 60_000;
    const afterLease = await answerPaste(deps, input(client));
    clock += 60_000;
    const later = await answerPaste(deps, input(client));

    // Assess
    expect([immediate.kind, afterLease.kind, later.kind]).toEqual(['duplicate_delivery', 'answered', 'duplicate_delivery']);
    expect(posts).toHaveLength(1);
  });

  test('a failed post gives both claims back at once, so the retry answers without waiting for the lease', async () => {
    // Prepare
    const deps: SlackDeps = { diagnoser: fakeDiagnoser(), idempotency: new InMemoryIdempotencyStore(), logger };
    const { client, posts, fail } = fakeClient();
    fail(Object.assign(new Error('An API error occurred: internal_error'), { data: { ok: false, error: 'internal_error' } }));

    // Act
    await expect(answerPaste(deps, input(client))).rejects.toThrow('internal_error');
    const retry = await answerPaste(deps, input(client));

    // Assess
    expect(retry.kind).toBe('answered');
    expect(posts).toHaveLength(1);
  });
});
