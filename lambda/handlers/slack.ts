import { loadConfig } from '../config';
import { logger } from '../logger';
import { oncePerInstance } from '../once-per-instance';
import type { RemediationStore } from '../aws/remediation-store-types';
import { createRemediationCommands } from '../slack/remediation/create-remediation';
import { bundledKnowledgeJson } from './knowledge-json';
import { createLambdaSlackHandler, createSlackDeps, slackSecretsFromConfig } from './slack-app';
import type { FunctionUrlEvent, FunctionUrlResponse, SlackHttpHandler } from './slack-http-boundary';

/**
 * Lambda entry point for every Slack request (events, slash commands, shortcuts, buttons) behind the
 * Function URL. Configuration, secrets (one SSM call), the knowledge bundle and the Bolt app are built once
 * per cold start, on the first request, and kept for the life of the instance.
 */
/** The Lambda context as the logger reads it (request id, function name). */
type LambdaContext = Parameters<typeof logger.addContext>[0];

/** What a caller may inject instead of what the configuration builds (tests only; production passes none). */
export interface SlackHandlerOverrides {
  /** The remediation store instead of the table's (e.g. one in-memory store shared with the status handler). */
  store?: RemediationStore;
}

/**
 * Builds the Slack HTTP handler from the environment: what {@link prepareHandler} does once per instance. Each call
 * builds a new app, so only a test that needs its own (e.g. with an injected store) calls it directly.
 */
export async function buildSlackHandler(overrides: SlackHandlerOverrides = {}): Promise<SlackHttpHandler> {
  const config = loadConfig();
  const deps = createSlackDeps({
    config,
    knowledge: bundledKnowledgeJson(),
    logger,
    // Without operators nobody may act, so the app offers no remediation at all (no buttons, "not configured").
    remediation: (shared) => (config.operators.length > 0 ? createRemediationCommands({ config, logger: shared.logger, store: overrides.store, clicks: shared.idempotency }) : undefined),
  });
  const secrets = await slackSecretsFromConfig(config)();
  logger.info('slack handler ready', { idempotency: deps.idempotency.description, remediation: deps.remediation !== undefined });
  return createLambdaSlackHandler({ secrets, deps, slackApiUrl: config.slackApiUrl });
}

/**
 * Builds the app now rather than on the first request (used by `npm run serve` so configuration errors and
 * the start-up log appear at once). A failed start is not cached: the next call tries again.
 */
export const prepareHandler: () => Promise<SlackHttpHandler> = oncePerInstance(() => buildSlackHandler());

/** Two arguments on purpose: Node.js 24 Lambda runtimes reject three-argument (callback) handlers. */
export const handler = async (event: FunctionUrlEvent, context: LambdaContext): Promise<FunctionUrlResponse> => {
  if (typeof (context as { awsRequestId?: unknown } | undefined)?.awsRequestId === 'string') logger.addContext(context);
  return (await prepareHandler())(event, context);
};
