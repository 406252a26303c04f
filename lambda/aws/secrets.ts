import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '../config';
import { ConfigurationError } from '../core/errors';
import { oncePerInstance } from '../once-per-instance';

/** What the Slack app needs to verify requests and call the Web API. Never log this object. */
export interface SlackSecrets {
  signingSecret: string;
  botToken: string;
}

export type SecretsSource = Pick<Config, 'slackSigningSecret' | 'slackBotToken' | 'slackSigningSecretParam' | 'slackBotTokenParam'>;

/**
 * Reads the signing secret and bot token.
 *
 * - In Lambda (`SLACK_SIGNING_SECRET_PARAM` and `SLACK_BOT_TOKEN_PARAM` set): one `GetParameters` call with
 *   decryption for both SecureString parameters.
 * - Locally: `SLACK_SIGNING_SECRET` and `SLACK_BOT_TOKEN`, no network call.
 *
 * Errors name the parameter or variable at fault, never a value.
 *
 * @example
 * const secrets = await readSlackSecrets(loadConfig(), () => new SSMClient({}));
 */
export async function readSlackSecrets(config: SecretsSource, createSsmClient: () => Pick<SSMClient, 'send'>): Promise<SlackSecrets> {
  const { slackSigningSecretParam: signingParam, slackBotTokenParam: tokenParam } = config;
  if (signingParam !== undefined || tokenParam !== undefined) {
    if (signingParam === undefined || tokenParam === undefined) {
      const missing = signingParam === undefined ? 'SLACK_SIGNING_SECRET_PARAM' : 'SLACK_BOT_TOKEN_PARAM';
      throw new ConfigurationError(`${missing} is not set: set both SLACK_SIGNING_SECRET_PARAM and SLACK_BOT_TOKEN_PARAM, or neither for a local run`);
    }
    return readFromParameterStore(signingParam, tokenParam, createSsmClient());
  }
  const missing = [
    config.slackSigningSecret === undefined ? 'SLACK_SIGNING_SECRET' : undefined,
    config.slackBotToken === undefined ? 'SLACK_BOT_TOKEN' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0 || config.slackSigningSecret === undefined || config.slackBotToken === undefined) {
    throw new ConfigurationError(
      `${missing.join(' and ')} not set: export them for a local run (Slack app settings → Basic Information and OAuth & Permissions), or set SLACK_SIGNING_SECRET_PARAM and SLACK_BOT_TOKEN_PARAM in Lambda`,
    );
  }
  return { signingSecret: config.slackSigningSecret, botToken: config.slackBotToken };
}

async function readFromParameterStore(signingParam: string, tokenParam: string, ssm: Pick<SSMClient, 'send'>): Promise<SlackSecrets> {
  // Loaded here, not at start-up: local runs read the environment and never need the SSM client package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GetParametersCommand } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
  let response;
  try {
    response = await ssm.send(new GetParametersCommand({ Names: [signingParam, tokenParam], WithDecryption: true }));
  } catch (error) {
    // The SDK error says what went wrong (access denied, throttling); it never contains the values.
    throw new ConfigurationError(`could not read the Slack secrets from SSM parameters ${signingParam} and ${tokenParam}`, { cause: error });
  }
  const byName = new Map((response.Parameters ?? []).map((parameter) => [parameter.Name, parameter.Value]));
  const missing = [signingParam, tokenParam].filter((name) => !byName.get(name));
  if (missing.length > 0) {
    throw new ConfigurationError(
      `SSM parameter ${missing.join(' and ')} not found or empty: create it as a SecureString (aws ssm put-parameter --type SecureString --name ${missing[0]} --value …)`,
    );
  }
  return { signingSecret: byName.get(signingParam) as string, botToken: byName.get(tokenParam) as string };
}

/**
 * Caches the secrets for the life of the Lambda instance: one read per cold start. A failed read is not
 * cached, so the next invocation tries again instead of failing until the instance is recycled.
 */
export function cachedSlackSecrets(read: () => Promise<SlackSecrets>): () => Promise<SlackSecrets> {
  return oncePerInstance(read);
}
