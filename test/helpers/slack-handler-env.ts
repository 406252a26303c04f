import { startLocalDynamo, type LocalDynamo } from './dynamo';
import { replaceHandlerEnvironment } from './handler-environment';
import { startSlackApiStub, type SlackApiStub } from './slack-api-stub';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './slack-request';

export interface SlackHandlerEnvironment {
  slack: SlackApiStub;
  dynamo: LocalDynamo;
  /** Restores the environment and stops both servers. */
  stop(): Promise<void>;
}


/**
 * Starts the Slack API stub and a DynamoDB-compatible server on loopback and points the real Lambda
 * handler's configuration at them (import the handler after this resolves: it reads the environment on its
 * first request).
 */
export async function startSlackHandlerEnvironment(): Promise<SlackHandlerEnvironment> {
  const [slack, dynamo] = await Promise.all([startSlackApiStub(), startLocalDynamo()]);
  const restore = replaceHandlerEnvironment({
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SHIM_FIX_TABLE: dynamo.tableName,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    // Nothing listens on port 9 (discard): an SSM call fails at once instead of leaving the machine.
    AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  return {
    slack,
    dynamo,
    stop: async () => {
      restore();
      await Promise.all([slack.stop(), dynamo.stop()]);
    },
  };
}
