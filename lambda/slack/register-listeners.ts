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

  // Slack has already been acknowledged when a listener fails: log it and answer 200, because a 5xx would
  // only make Slack re-deliver into the same failure (answerPaste released its claims for a later retry).
  app.error(async (error) => {
    const original = (error as { original?: unknown }).original ?? error;
    deps.logger.error('listener failed', {
      code: (error as { code?: string }).code,
      slackError: slackErrorCode(original),
      error: original instanceof Error ? { name: original.name, message: original.message } : String(original),
    });
  });

  // Last, so the remediation listeners can never shadow the diagnosis ones.
  deps.remediation?.register(app);
}
