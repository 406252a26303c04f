import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { buildHelp } from '../blocks/help';
import { buildSearchResults, SEARCH_RESULTS_SHOWN } from '../blocks/search-results';
import { mrkdwn } from '../blocks/mrkdwn';
import { routeSlashCommand } from '../slash-command-routes';
import type { SlackDeps } from '../types';

export const SLASH_COPY = {
  emptySearch: mrkdwn`Add the words to look for, for example \`/shim-fix search unsupported shim version\`.`.text,
  remediationNotConfigured: mrkdwn`Checks and restarts are not configured in this workspace. Ask the team that runs shim-fix to enable remediation; meanwhile, the runbook’s *Fix* section has the commands to run yourself.`
    .text,
} as const;

/** Longest query passed to the search index; longer pastes belong in a channel or a DM for a diagnosis. */
const MAX_QUERY_CHARS = 500;

/**
 * `/shim-fix`: help and search answer in the acknowledgement itself (no extra network call); remediation
 * subcommands are acknowledged, then handed to the remediation flow.
 */
export function slashCommandListener(deps: SlackDeps) {
  return async ({ ack, command, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const remediationEnabled = deps.remediation !== undefined;
    const route = routeSlashCommand(typeof command.text === 'string' ? command.text : '', remediationEnabled);
    switch (route.kind) {
      case 'help':
        return ack({ response_type: 'ephemeral', ...buildHelp({ remediationEnabled }) });
      case 'unknown':
        return ack({ response_type: 'ephemeral', ...buildHelp({ unknown: route.word, suggestion: route.suggestion, remediationEnabled }) });
      case 'search': {
        if (route.query.trim() === '') return ack({ response_type: 'ephemeral', text: SLASH_COPY.emptySearch });
        const query = route.query.slice(0, MAX_QUERY_CHARS);
        const hits = deps.diagnoser.search(query, { limit: SEARCH_RESULTS_SHOWN });
        deps.logger.info('runbook search', { event: 'runbook_search', results: hits.length, top: hits[0]?.runbook.id ?? null });
        return ack({ response_type: 'ephemeral', ...buildSearchResults(query, hits) });
      }
      case 'remediation': {
        if (deps.remediation === undefined) return ack({ response_type: 'ephemeral', text: SLASH_COPY.remediationNotConfigured });
        await ack();
        await deps.remediation.handleCommand({
          userId: command.user_id,
          channelId: command.channel_id,
          teamId: command.team_id,
          triggerId: command.trigger_id,
          text: route.text,
          respond,
          client,
        });
        return;
      }
    }
  };
}
