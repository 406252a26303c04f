import { handler } from '../../../lambda/handlers/slack';
import type { FunctionUrlEvent, FunctionUrlResponse } from '../../../lambda/handlers/slack-http-boundary';
import { logger } from '../../../lambda/logger';
import { inProcessJobsIdle } from '../../../lambda/remediation/jobs';
import { FakeSsm } from '../../integration/remediation/fake-ssm';
import { replaceHandlerEnvironment } from '../../helpers/handler-environment';
import { startSlackApiStub, type SlackApiStub } from '../../helpers/slack-api-stub';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../helpers/slack-request';
import { findEchoedMentions, type MentionViolation } from './mentions';

/** The operator the harness configures: the only user the app may mention on its own account. */
export const OPERATOR = 'U0PERSON01';
/** An instance the stubbed SSM knows: managed, online, Linux, carrying the allow tag. */
export const TAGGED_INSTANCE = 'i-0aaaaaaaaaaaaaaa1';


const context = { awsRequestId: 'bad-input', functionName: 'shim-fix-slack' } as never;

export interface SlackHarness {
  slack: SlackApiStub;
  ssm: FakeSsm;
  /**
   * Sends one Function URL event through the real Lambda handler, remembers the answer body, and waits for the
   * remediation jobs it started (in process here), so what they send is counted in this run and not the next.
   */
  send(event: FunctionUrlEvent): Promise<FunctionUrlResponse>;
  /** Every message the app sent since the last `reset`: Web API calls, response URL posts, and answer bodies. */
  sentMessages(): Array<{ via: string; message: unknown }>;
  /** Mentions in those messages that Slack would notify and the app did not mean. */
  echoedMentions(): Array<MentionViolation & { via: string }>;
  /** Unhandled promise rejections seen since the last `reset`. */
  unhandled: unknown[];
  /**
   * Listener crashes since the last `reset`: Bolt's error handler turns them into a 200 and an error log
   * (`listener failed`), so the status code alone would hide them. The stub never fails, so any is a bug.
   */
  crashes(): unknown[];
  reset(): void;
  stop(): Promise<void>;
}

/**
 * The real Slack Lambda handler, in process, with remediation configured: the Slack API stub on loopback as
 * `SLACK_API_URL`, in-memory idempotency and remediation stores (no `SHIM_FIX_TABLE`), one operator, and a stubbed
 * SSM (every SSMClient answers from `FakeSsm`, so the real gateway runs) that knows one tagged instance.
 *
 * @example
 * const harness = await startSlackHarness();
 * afterAll(() => harness.stop());
 */
export async function startSlackHarness(): Promise<SlackHarness> {
  const slack = await startSlackApiStub();
  const restore = replaceHandlerEnvironment({
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SHIM_FIX_OPERATORS: OPERATOR,
    AWS_REGION: 'us-east-1',
    // Nothing listens on port 9 (discard): a call that escaped the stub fails at once instead of leaving the machine.
    AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  const ssm = new FakeSsm();
  const seedInventory = (): void => {
    ssm.nodes.set(TAGGED_INSTANCE, { tags: { 'shim-fix': 'enabled', team: 'payments' } });
  };
  seedInventory();

  const answers: Array<{ via: string; message: unknown }> = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  const errorLog = jest.spyOn(logger, 'error');

  const sentMessages = (): Array<{ via: string; message: unknown }> => [
    ...slack.calls().map((call) => ({ via: call.method, message: call.body })),
    ...answers,
  ];

  return {
    slack,
    ssm,
    unhandled,
    send: async (event) => {
      const response = await handler(event, context);
      if (response.body) answers.push({ via: 'http answer', message: parseJson(response.body) });
      await inProcessJobsIdle();
      // Lets pending callbacks run, so an unhandled rejection is reported before the property looks.
      await new Promise((resolve) => setImmediate(resolve));
      return response;
    },
    sentMessages,
    crashes: () => errorLog.mock.calls.map((call) => call as unknown),
    echoedMentions: () => sentMessages().flatMap(({ via, message }) => findEchoedMentions(message, [OPERATOR]).map((violation) => ({ ...violation, via }))),
    reset: () => {
      slack.reset();
      ssm.reset();
      seedInventory();
      answers.length = 0;
      unhandled.length = 0;
      errorLog.mockClear();
    },
    stop: async () => {
      process.off('unhandledRejection', onUnhandled);
      errorLog.mockRestore();
      ssm.mock.restore();
      restore();
      await slack.stop();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A plain-text answer (a 400 reason) is shown to nobody in Slack, but check it as a message all the same.
    return { text };
  }
}

export const FORM = 'application/x-www-form-urlencoded';
