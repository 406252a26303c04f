import { startLocalDynamo, type LocalDynamo } from '../../helpers/dynamo';
import { startSlackApiStub, type SlackApiStub } from '../../helpers/slack-api-stub';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../helpers/slack-request';
import { startSsmProtocolStub, type SsmProtocolStub } from '../../helpers/ssm-protocol-stub';

/** The operator every e2e request comes from (slack-request.ts helpers send as this user). */
export const E2E_OPERATOR = 'U0PERSON01';

/** Everything the bot talks to, on loopback: the Slack Web API, a DynamoDB-compatible server and SSM. */
export interface E2eEnvironment {
  slack: SlackApiStub;
  dynamo: LocalDynamo;
  ssm: SsmProtocolStub;
  /** The bot's configuration for these servers: the names of docs/architecture.md "Configuration", plus dummy credentials. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startE2eEnvironment(): Promise<E2eEnvironment> {
  const [slack, dynamo, ssm] = await Promise.all([startSlackApiStub(), startLocalDynamo(), startSsmProtocolStub()]);
  const env = {
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    SHIM_FIX_TABLE: dynamo.tableName,
    SHIM_FIX_OPERATORS: E2E_OPERATOR,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // No shared config or IMDS lookups: the SDK must find everything in the environment.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return { slack, dynamo, ssm, env, stop: async () => void (await Promise.all([slack.stop(), dynamo.stop(), ssm.stop()])) };
}

/** Sets `env` on this process (for the in-process status handler and sweeper) and returns a function that restores it. */
export function useProcessEnv(env: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
