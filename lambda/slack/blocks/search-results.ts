import type { KnownBlock } from '@slack/types';
import { queryLanguage, summaryText, titleText, type AnswerLanguage } from '../../core/diagnosis/answer-text';
import type { SearchHit } from '../../core/diagnosis/types';
import { IDS } from '../types';
import { button, mrkdwnSection } from './answer-card';
import { languageBlockId } from './block-language';
import { fitMessage, truncateMrkdwn, type SlackMessage } from './limits';
import { code, mrkdwn, type Mrkdwn } from './mrkdwn';

export const SEARCH_RESULTS_SHOWN = 5;
const QUERY_ECHO_CHARS = 200;

/** The search card's own words, in both languages; the runbooks' titles and summaries come from the runbooks. */
interface SearchCopy {
  noMatchText: (query: string) => string;
  noMatch: (query: string) => Mrkdwn;
  heading: (query: string) => Mrkdwn;
  headingText: (query: string) => string;
  postToChannel: string;
  onlyYou: Mrkdwn;
}

const EN: SearchCopy = {
  noMatchText: (query) => mrkdwn`No runbook matches "${query}"`.text,
  noMatch: (query) =>
    mrkdwn`No runbook matches “${query}”. Try fewer words or one exact error line, for example ${code('/shim-fix search unsupported shim version')}.`,
  heading: (query) => mrkdwn`Runbooks for “${query}”:`,
  headingText: (query) => mrkdwn`Runbooks for "${query}"`.text,
  postToChannel: 'Post to channel',
  onlyYou: mrkdwn`Only you can see this. *Post to channel* shares the whole runbook with everyone here.`,
};

const ZH: SearchCopy = {
  noMatchText: (query) => mrkdwn`没有与“${query}”匹配的运行手册`.text,
  noMatch: (query) => mrkdwn`没有与“${query}”匹配的运行手册。换少一点的词，或者只贴一行完整的报错，例如 ${code('/shim-fix search 升级后 shim 版本不支持')}。`,
  heading: (query) => mrkdwn`与“${query}”相关的运行手册：`,
  headingText: (query) => mrkdwn`与“${query}”相关的运行手册`.text,
  postToChannel: '发到频道',
  // No *bold* here: Slack only bolds between spaces or punctuation, which Chinese text does not put around a word.
  onlyYou: mrkdwn`只有你能看到这条消息。点「发到频道」会把整份手册分享给频道里的所有人。`,
};

/**
 * Ephemeral answer to `/shim-fix search <query>`: the top runbooks, each with a button that posts it to the
 * channel for everyone. A Chinese query gets the card in Chinese, and each result's block id carries the language
 * so the runbook its button posts is in Chinese too (block-language.ts).
 */
export function buildSearchResults(query: string, hits: readonly SearchHit[]): SlackMessage {
  const language: AnswerLanguage = queryLanguage(query);
  const copy = language === 'zh' ? ZH : EN;
  const echoed = query.slice(0, QUERY_ECHO_CHARS);
  const shownQuery = query.length > QUERY_ECHO_CHARS ? `${echoed}…` : query;
  if (hits.length === 0) {
    return fitMessage({ text: copy.noMatchText(echoed), blocks: [mrkdwnSection(copy.noMatch(shownQuery).text)] });
  }
  const blocks: KnownBlock[] = [mrkdwnSection(copy.heading(shownQuery).text)];
  for (const { runbook } of hits.slice(0, SEARCH_RESULTS_SHOWN)) {
    blocks.push({
      type: 'section',
      // Block ids are unique within a message: one result, one runbook.
      block_id: languageBlockId(`search:${runbook.id}`, language),
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: truncateMrkdwn(mrkdwn`*${titleText(runbook, language)}* ${code(runbook.id)}\n${summaryText(runbook, language)}`.text, 1500),
      },
      accessory: button(`${IDS.postRunbook}:${runbook.id}`, copy.postToChannel, runbook.id),
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: copy.onlyYou.text }] });
  return fitMessage({ text: copy.headingText(echoed), blocks });
}
