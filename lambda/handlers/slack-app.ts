import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App, AwsLambdaReceiver, type Authorize, type LogLevel } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { DynamoIdempotencyStore, InMemoryIdempotencyStore, type IdempotencyStore } from '../aws/idempotency-store';
import { cachedSlackSecrets, readSlackSecrets, type SlackSecrets } from '../aws/secrets';
import type { Config } from '../config';
import { createDiagnoser } from '../core/diagnosis/create-diagnoser';
import type { Diagnoser } from '../core/diagnosis/types';
import { loadKnowledgeBundle } from '../core/knowledge/bundle';
import type { AppLogger } from '../logger';
import { boltLogger } from '../slack/bolt-logger';
import { slackWebClientOptions } from '../slack/post-outcome';
import { createAppHomeSources } from '../slack/app-home/create-app-home';
import { registerListeners } from '../slack/register-listeners';
import type { RemediationCommands, SlackDeps } from '../slack/types';
import { hardenSlackHandler, type SlackHttpHandler } from './slack-http-boundary';

/**
 * Assembly of the Slack app, shared by every entry point: the Lambda handler, `npm run serve` (which calls
 * that handler) and `npm run dev` (Socket Mode). Nothing here makes a network call until a request arrives.
 */

/** Web API client options: see `slack/post-outcome.ts` for which failed posts may be retried. */
export function slackClientOptions(slackApiUrl: string | undefined): WebClientOptions {
  return slackWebClientOptions(slackApiUrl);
}

/**
 * A single-workspace app: the bot token is the only credential, and the bot's user id comes with every event
 * (`authorizations`), so Bolt never needs an `auth.test` call.
 */
export function singleWorkspaceAuthorize(botToken: string): Authorize<boolean> {
  return async (source, body) => {
    const authorizations = (body as { authorizations?: { user_id?: string }[] } | undefined)?.authorizations;
    const botUserId = authorizations?.[0]?.user_id;
    return { botToken, ...(source.teamId !== undefined ? { teamId: source.teamId } : {}), ...(botUserId !== undefined ? { botUserId } : {}) };
  };
}

export interface SlackDepsOptions {
  /** With `operators` and `allowTag` (the full configuration) the app also has a Home tab (lambda/slack/app-home/). */
  config: Pick<Config, 'table'> & Partial<Pick<Config, 'operators' | 'allowTag' | 'scanSchedule'>>;
  /** Parsed `lambda/generated/knowledge.json` (or its text). */
  knowledge: unknown;
  logger: AppLogger;
  /** A DynamoDB client for the table; created from the default AWS configuration when absent. */
  dynamo?: DynamoDBClient;
  remediation?: (shared: { idempotency: IdempotencyStore; logger: AppLogger }) => RemediationCommands | undefined;
}

/** Loads the knowledge bundle and picks the idempotency store: DynamoDB when `SHIM_FIX_TABLE` is set. */
export function createSlackDeps({ config, knowledge, logger, dynamo, remediation }: SlackDepsOptions): SlackDeps {
  // The embedded bundle was validated in full by `kb build`; at cold start only its envelope is checked.
  const diagnoser: Diagnoser = createDiagnoser(loadKnowledgeBundle(knowledge, { verify: 'envelope' }));
  const idempotency: IdempotencyStore =
    config.table !== undefined
      ? new DynamoIdempotencyStore({ tableName: config.table, client: dynamo })
      : new InMemoryIdempotencyStore();
  if (idempotency.description === 'memory') {
    logger.warn('SHIM_FIX_TABLE is not set: duplicate deliveries are tracked in memory, in this process only (fine for local runs, not for Lambda)');
  }
  const { operators, allowTag } = config;
  const appHome = operators !== undefined && allowTag !== undefined ? createAppHomeSources({ table: config.table, operators, allowTag, ...(config.scanSchedule !== undefined ? { scanSchedule: config.scanSchedule } : {}) }, dynamo) : undefined;
  return { diagnoser, idempotency, logger, remediation: remediation?.({ idempotency, logger }), ...(appHome !== undefined ? { appHome } : {}) };
}

export interface LambdaSlackHandlerOptions {
  secrets: SlackSecrets;
  deps: SlackDeps;
  slackApiUrl?: string;
}

/** The Bolt app behind `AwsLambdaReceiver`, wrapped so junk gets 400, strays get 200 and forgeries 401. */
export function createLambdaSlackHandler({ secrets, deps, slackApiUrl }: LambdaSlackHandlerOptions): SlackHttpHandler {
  const logger = boltLogger(deps.logger);
  const receiver = new AwsLambdaReceiver({ signingSecret: secrets.signingSecret, logger });
  const app = new App({
    receiver,
    authorize: singleWorkspaceAuthorize(secrets.botToken),
    logger,
    logLevel: 'info' as LogLevel,
    clientOptions: slackClientOptions(slackApiUrl),
    // Listeners filter bot messages themselves (ignoreSelf would need the bot id from auth.test).
    ignoreSelf: false,
    // Thread state is not used; the default store would keep memory growing for the life of the instance.
    convoStore: false,
    // The error handler needs the request body to tell an Events API delivery (worth a 500) from a click.
    extendedErrorHandler: true,
  });
  registerListeners(app, deps);
  return hardenSlackHandler(receiver.toHandler(), { signingSecret: secrets.signingSecret, logger: deps.logger });
}

/** Secrets from SSM (Lambda) or the environment (local), read once and kept for the life of the process. */
export function slackSecretsFromConfig(config: Config): () => Promise<SlackSecrets> {
  return cachedSlackSecrets(() =>
    readSlackSecrets(config, () => {
      // Only Lambda needs the SSM client package; local runs never load it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { SSMClient } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
      return new SSMClient({});
    }),
  );
}

export interface SocketModeAppOptions {
  appToken: string;
  botToken: string;
  deps: SlackDeps;
  slackApiUrl?: string;
}

/** The same listeners over Socket Mode (`npm run dev`): no public URL needed, events arrive on a WebSocket. */
export function createSocketModeApp({ appToken, botToken, deps, slackApiUrl }: SocketModeAppOptions): App {
  const logger = boltLogger(deps.logger);
  const app = new App({
    socketMode: true,
    appToken,
    authorize: singleWorkspaceAuthorize(botToken),
    logger,
    clientOptions: slackClientOptions(slackApiUrl),
    ignoreSelf: false,
    convoStore: false,
    extendedErrorHandler: true,
  });
  registerListeners(app, deps);
  return app;
}
