import type { App } from '@slack/bolt';
import { appMentionListener } from './listeners/app-mention';
import { diagnoseShortcutListener } from './listeners/diagnose-shortcut';
import { feedbackListener } from './listeners/feedback';
import { messageListener } from './listeners/message';
import { postRunbookListener, showFullRunbookListener } from './listeners/runbook-actions';
import { slashCommandListener } from './listeners/slash-command';
import { slackErrorCode } from './answer-paste';
import { IDS, type SlackDeps } from './types';

/**
 * The one definition of the Slack app, shared by the Lambda handler, `npm run serve` and `npm run dev`.
 *
 * @example
 * const app = new App({ receiver, authorize });
 * registerListeners(app, { diagnoser, idempotency, logger, remediation });
 */
export function registerListeners(app: App, deps: SlackDeps): void {
  app.event('message', messageListener(deps));
  app.event('app_mention', appMentionListener(deps));
  app.shortcut({ callback_id: IDS.diagnoseShortcut, type: 'message_action' }, diagnoseShortcutListener(deps));
  app.command(IDS.slashCommand, slashCommandListener(deps));
  app.action(new RegExp(`^${IDS.postRunbook}:`), postRunbookListener(deps));
  app.action(IDS.showFullRunbook, showFullRunbookListener(deps));
  app.action(IDS.feedbackUp, feedbackListener(deps));
  app.action(IDS.feedbackDown, feedbackListener(deps));

  // Slack has already been acknowledged when a listener fails. A failure Slack's re-delivery can cure (the Web API
  // answered 5xx or 429 past the client's retries, or could not be reached) on an Events API delivery is rethrown:
  // the receiver then answers 500 and Slack re-delivers about 1 and 5 minutes later, and answerPaste released its
  // claims so that delivery answers. Anything else (a platform error such as invalid_blocks, a failed click) is
  // logged and answered 200: a re-delivery would only meet the same failure, and interactive payloads are not retried.
  app.error(async (args: { error: Error; body?: unknown }) => {
    // The App is built with extendedErrorHandler; a plain handler call (a bare App in a test) passes the error itself.
    const { error, body } = args instanceof Error ? { error: args as Error, body: undefined } : args;
    const original = (error as { original?: unknown }).original ?? error;
    const redeliver = isEventDelivery(body) && isTransientSlackFailure(original);
    deps.logger.error('listener failed', {
      code: (error as { code?: string }).code,
      slackError: slackErrorCode(original),
      error: original instanceof Error ? { name: original.name, message: original.message } : String(original),
      redeliver,
    });
    if (redeliver) throw error;
  });

  // Last, so the remediation listeners can never shadow the diagnosis ones.
  deps.remediation?.register(app);
}

/** Web API error codes of @slack/web-api that a later attempt may not meet: HTTP 5xx, network, rate limit. */
const TRANSIENT_WEB_API_CODES = new Set(['slack_webapi_http_error', 'slack_webapi_request_error', 'slack_webapi_rate_limited_error']);

function isTransientSlackFailure(error: unknown): boolean {
  return TRANSIENT_WEB_API_CODES.has(String((error as { code?: unknown } | undefined)?.code));
}

/** Only Events API deliveries are re-delivered by Slack on a 5xx. */
function isEventDelivery(body: unknown): boolean {
  return (body as { type?: unknown } | undefined)?.type === 'event_callback';
}
