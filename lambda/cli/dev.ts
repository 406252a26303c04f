import { loadConfig } from '../config';
import { ConfigurationError } from '../core/errors';
import { bundledKnowledgeJson } from '../handlers/knowledge-json';
import { createSlackDeps, createSocketModeApp } from '../handlers/slack-app';
import { logger } from '../logger';
import { createRemediationCommands } from '../slack/remediation/create-remediation';
import { buildKnowledgeBundle } from './knowledge-bundle';

/**
 * `npm run dev`: the same listeners as the Lambda handler, connected to a real workspace over Socket Mode
 * (no public URL). Needs the development manifest (`infra/slack/manifest.dev.yaml`), `SLACK_APP_TOKEN`
 * (an app-level token with `connections:write`) and `SLACK_BOT_TOKEN`.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.slackAppToken === undefined) {
    throw new ConfigurationError('SLACK_APP_TOKEN is not set: create an app-level token with the connections:write scope (Basic Information → App-Level Tokens)');
  }
  if (config.slackBotToken === undefined) {
    throw new ConfigurationError('SLACK_BOT_TOKEN is not set: install the app to your workspace and copy the Bot User OAuth Token (OAuth & Permissions)');
  }
  // The runbooks as they are now (bundledKnowledgeJson requires the file only when called).
  await buildKnowledgeBundle(process.stderr);
  const deps = createSlackDeps({
    config,
    knowledge: bundledKnowledgeJson(),
    logger,
    // Same rule as the Lambda handler: without operators nobody may act, so no remediation is offered.
    remediation: (shared) => (config.operators.length > 0 ? createRemediationCommands({ config, logger: shared.logger, clicks: shared.idempotency }) : undefined),
  });
  const app = createSocketModeApp({ appToken: config.slackAppToken, botToken: config.slackBotToken, deps, slackApiUrl: config.slackApiUrl });
  await app.start();
  logger.info('shim-fix connected over Socket Mode', { idempotency: deps.idempotency.description, remediation: deps.remediation !== undefined });
  const stop = (): void => {
    void app.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`shim-fix dev: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
