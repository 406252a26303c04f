import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { IdempotencyStore } from '../aws/idempotency-store';
import type { Diagnoser } from '../core/diagnosis/types';
import type { AppLogger } from '../logger';
import type { AppHomeSources } from './app-home/app-home-sources';

export type { IdempotencyStore } from '../aws/idempotency-store';

/**
 * What `/shim-fix check …`, `/shim-fix restart …` and `/shim-fix <target>` hand over to the remediation flow.
 * The slash command is already acknowledged when `handleCommand` runs: answer through `respond` (ephemeral
 * by default) or `client`, and keep to one or two AWS calls (Slack waits for the Lambda to finish).
 */
export interface RemediationCommandInput {
  userId: string;
  channelId: string;
  teamId: string;
  triggerId: string;
  /** Everything after `/shim-fix`, trimmed, for example `check i-0123456789abcdef0` or `tag:env=prod`. */
  text: string;
  respond: RespondFn;
  client: WebClient;
}

/**
 * The seam between the Slack app and the remediation flow (issue 4, `lambda/slack/remediation/**`).
 *
 * - `handleCommand` receives the remediation subcommands routed by `/shim-fix`.
 * - `register` adds its own listeners (plan card Confirm/Cancel, the answer card's `remediation_check_open`
 *   button and its modal). `registerListeners` calls it last, after every diagnosis listener.
 *
 * When no implementation is given, `/shim-fix check|restart|<target>` answers that remediation is not
 * configured, and answer cards carry no "Check an instance…" button.
 */
export interface RemediationCommands {
  handleCommand(input: RemediationCommandInput): Promise<void>;
  register(app: App): void;
}

/** Everything the listeners need; built once per cold start by `lambda/handlers/slack-app.ts`. */
export interface SlackDeps {
  diagnoser: Diagnoser;
  /** Deduplicates event deliveries, shortcut runs and button clicks (DynamoDB in Lambda, memory locally). */
  idempotency: IdempotencyStore;
  logger: AppLogger;
  remediation?: RemediationCommands;
  /** App Home's data and the knowledge-gap recorder (lambda/slack/app-home/); absent: no Home tab, no gaps recorded. */
  appHome?: AppHomeSources;
}

/** Action and callback ids: the manifest, the Block Kit builders and the listeners share these. */
export const IDS = {
  diagnoseShortcut: 'diagnose_message',
  slashCommand: '/shim-fix',
  /** Prefix: `runbook_post:<runbook id>`; action ids must be unique inside a message. */
  postRunbook: 'runbook_post',
  showFullRunbook: 'runbook_full',
  feedbackUp: 'feedback_up',
  feedbackDown: 'feedback_down',
  /** Handled by the remediation flow (opens a modal asking for the instance). */
  remediationCheckOpen: 'remediation_check_open',
} as const;

/** How long a claim lives. Slack retries an event at most three times within about an hour. */
export const DEDUPE_TTL_SECONDS = {
  event: 2 * 60 * 60,
  reply: 24 * 60 * 60,
  click: 10 * 60,
} as const;
