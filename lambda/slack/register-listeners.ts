import type { App } from '@slack/bolt';
import { appHomeListener } from './app-home/app-home-listener';
import { appMentionListener } from './listeners/app-mention';
import { diagnoseShortcutListener } from './listeners/diagnose-shortcut';
import { feedbackListener } from './listeners/feedback';
import { messageListener } from './listeners/message';
import { postRunbookListener, showFullRunbookListener } from './listeners/runbook-actions';
import { slashCommandListener } from './listeners/slash-command';
import { slackErrorCode } from './answer-paste';
import { classifyPostFailure } from './post-outcome';
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
  if (deps.appHome !== undefined) app.event('app_home_opened', appHomeListener(deps));

  // Slack has already been acknowledged when a listener fails. A post that surely did not land and that a later attempt
  // may cure (429, a 5xx with Slack's error body, no connection) on an Events API delivery is rethrown: the receiver
  // then answers 500 and Slack re-delivers about 1 and 5 minutes later, and answerPaste released its claims so that
  // delivery answers. Anything else (a platform error such as invalid_blocks, a failed click) is logged and answered
  // 200: a re-delivery would only meet the same failure, and interactive payloads are not retried. The Web API error's
  // own `code` decides (`classifyPostFailure`), not the fetch error inside it.
  app.error(async (args: { error: Error; body?: unknown }) => {
    // The App is built with extendedErrorHandler; a plain handler call (a bare App in a test) passes the error itself.
    const { error, body } = args instanceof Error ? { error: args as Error, body: undefined } : args;
    const failure = classifyPostFailure(error);
    const redeliver = isEventDelivery(body) && failure.posted === 'no' && failure.retryLater;
    const original = (error as { original?: unknown }).original;
    deps.logger.error('listener failed', {
      code: (error as { code?: string }).code,
      slackError: slackErrorCode(error) ?? slackErrorCode(original),
      failure: failure.reason,
      error: { name: error.name, message: error.message },
      redeliver,
    });
    if (redeliver) throw error;
  });

  // Last, so the remediation listeners can never shadow the diagnosis ones.
  deps.remediation?.register(app);
}

/** Only Events API deliveries are re-delivered by Slack on a 5xx. */
function isEventDelivery(body: unknown): boolean {
  return (body as { type?: unknown } | undefined)?.type === 'event_callback';
}
