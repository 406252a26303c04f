import { startLocalDynamo, type LocalDynamo } from './dynamo';
import { startSlackApiStub, type SlackApiStub } from './slack-api-stub';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './slack-request';

export interface SlackHandlerEnvironment {
  slack: SlackApiStub;
  dynamo: LocalDynamo;
  /** Restores the environment and stops both servers. */
  stop(): Promise<void>;
}

const VARIABLES = [
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_API_URL',
  'SLACK_SIGNING_SECRET_PARAM',
  'SLACK_BOT_TOKEN_PARAM',
  'SHIM_FIX_TABLE',
  'AWS_REGION',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SSM',
  'SHIM_FIX_OPERATORS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/**
 * Starts the Slack API stub and a DynamoDB-compatible server on loopback and points the real Lambda
 * handler's configuration at them (import the handler after this resolves: it reads the environment on its
 * first request).
 */
export async function startSlackHandlerEnvironment(): Promise<SlackHandlerEnvironment> {
  const [slack, dynamo] = await Promise.all([startSlackApiStub(), startLocalDynamo()]);
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  Object.assign(process.env, {
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
  delete process.env.SHIM_FIX_OPERATORS;
  delete process.env.SLACK_SIGNING_SECRET_PARAM;
  delete process.env.SLACK_BOT_TOKEN_PARAM;
  return {
    slack,
    dynamo,
    stop: async () => {
      for (const name of VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      await Promise.all([slack.stop(), dynamo.stop()]);
    },
  };
}
