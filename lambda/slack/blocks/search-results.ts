import type { KnownBlock } from '@slack/types';
import type { SearchHit } from '../../core/diagnosis/types';
import { IDS } from '../types';
import { button, mrkdwnSection } from './answer-card';
import { fitMessage, truncateMrkdwn, type SlackMessage } from './limits';
import { code, mrkdwn } from './mrkdwn';

export const SEARCH_RESULTS_SHOWN = 5;
const QUERY_ECHO_CHARS = 200;

/**
 * Ephemeral answer to `/shim-fix search <query>`: the top runbooks, each with a button that posts it to the
 * channel for everyone.
 */
export function buildSearchResults(query: string, hits: readonly SearchHit[]): SlackMessage {
  const shownQuery = query.length > QUERY_ECHO_CHARS ? `${query.slice(0, QUERY_ECHO_CHARS)}…` : query;
  if (hits.length === 0) {
    return fitMessage({
      text: mrkdwn`No runbook matches "${query.slice(0, QUERY_ECHO_CHARS)}"`.text,
      blocks: [
        mrkdwnSection(
          mrkdwn`No runbook matches “${shownQuery}”. Try fewer words or one exact error line, for example ${code('/shim-fix search unsupported shim version')}.`.text,
        ),
      ],
    });
  }
  const blocks: KnownBlock[] = [mrkdwnSection(mrkdwn`Runbooks for “${shownQuery}”:`.text)];
  for (const { runbook } of hits.slice(0, SEARCH_RESULTS_SHOWN)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: truncateMrkdwn(mrkdwn`*${runbook.title}* ${code(runbook.id)}\n${runbook.summary}`.text, 1500),
      },
      accessory: button(`${IDS.postRunbook}:${runbook.id}`, 'Post to channel', runbook.id),
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Only you can see this. *Post to channel* shares the whole runbook with everyone here.' }],
  });
  return fitMessage({ text: mrkdwn`Runbooks for "${query.slice(0, QUERY_ECHO_CHARS)}"`.text, blocks });
}
