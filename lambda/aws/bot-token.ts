import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '../config';
import { ConfigurationError } from '../core/errors';

/**
 * The bot token for a handler that only posts (the status handler): SLACK_BOT_TOKEN locally, else the SecureString
 * parameter named by SLACK_BOT_TOKEN_PARAM. `readSlackSecrets` (lambda/aws/secrets.ts) also needs the signing secret,
 * which this handler has no use for and no permission to read. Errors name the parameter, never a value.
 */
export async function readBotToken(config: Pick<Config, 'slackBotToken' | 'slackBotTokenParam'>, ssm: Pick<SSMClient, 'send'>): Promise<string> {
  if (config.slackBotTokenParam === undefined) {
    if (config.slackBotToken !== undefined) return config.slackBotToken;
    throw new ConfigurationError('SLACK_BOT_TOKEN_PARAM is not set (or SLACK_BOT_TOKEN for a local run): the status handler cannot post to Slack');
  }
  let response;
  try {
    response = await ssm.send(new GetParametersCommand({ Names: [config.slackBotTokenParam], WithDecryption: true }));
  } catch (error) {
    throw new ConfigurationError(`could not read the Slack bot token from SSM parameter ${config.slackBotTokenParam}`, { cause: error });
  }
  const value = response.Parameters?.find((parameter) => parameter.Name === config.slackBotTokenParam)?.Value;
  if (!value) throw new ConfigurationError(`SSM parameter ${config.slackBotTokenParam} not found or empty: create it as a SecureString with the bot token`);
  return value;
}
