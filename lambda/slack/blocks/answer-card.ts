import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { languageBlockId } from './block-language';
import { answerCopy, sectionText, summaryText, titleText, type AnswerCopy, type AnswerLanguage } from '../../core/diagnosis/answer-text';
import type { Diagnosis, Evidence } from '../../core/diagnosis/types';
import type { Runbook, SectionKey } from '../../core/knowledge/runbook';
import { REQUIRED_SECTIONS } from '../../core/knowledge/runbook';
import { IDS } from '../types';
import { fitMessage, SLACK_LIMITS, splitMrkdwn, truncateMrkdwn, type SlackMessage } from './limits';
import { codeBlock, escapeMrkdwn, inlineCode, markdownToMrkdwn, mrkdwnLink } from './mrkdwn';

/**
 * How much of each runbook section the answer card shows. The card is read in a thread, so it stays well
 * under Slack's limits; anything longer gets a "Show full runbook" button.
 */
export const CARD_BUDGET = {
  summary: 700,
  evidenceLines: 3,
  evidenceLine: 320,
  cause: 1200,
  fix: 2900,
  verify: 1000,
  notTheFix: 1000,
  sources: 5,
} as const;

export interface AnswerCardOptions {
  runbook: Runbook;
  /** The diagnosis that chose the runbook; absent when someone posts a runbook from search results. */
  diagnosis?: Diagnosis;
  /** Adds the "Check an instance…" button (when the runbook's remediation is not `none`). */
  remediationEnabled: boolean;
  /** Slack user id of whoever shared the runbook from `/shim-fix search`. */
  sharedBy?: string;
  /** Language of the card when there is no diagnosis (a button click on a Chinese card); else the diagnosis decides. */
  language?: AnswerLanguage;
}

/**
 * The threaded answer: title and confidence, the evidence, cause, fix, verify, when this is not the fix,
 * sources, then the feedback (and remediation) buttons.
 *
 * @example
 * await client.chat.postMessage({ channel, thread_ts, ...buildAnswerCard({ runbook, diagnosis, remediationEnabled: true }) });
 */
export function buildAnswerCard({ runbook, diagnosis, remediationEnabled, sharedBy, language: asked }: AnswerCardOptions): SlackMessage {
  // A Chinese paste gets the whole card in Chinese: title, headings, sections, buttons.
  const language: AnswerLanguage = diagnosis?.language ?? asked ?? 'en';
  const copy = answerCopy(language);
  const title = titleText(runbook, language);
  let shortened = false;
  const section = (key: SectionKey, budget: number): KnownBlock => {
    const heading = escapeMrkdwn(copy.sections[key]);
    const body = markdownToMrkdwn(sectionText(runbook, key, language));
    const text = truncateMrkdwn(`*${heading}*\n${body}`, budget, `\n… _${escapeMrkdwn(copy.shortened)}_`);
    shortened ||= text.length < `*${heading}*\n${body}`.length;
    return mrkdwnSection(text);
  };

  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: false } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: metaLine(runbook, diagnosis, sharedBy, copy), verbatim: true }] },
    mrkdwnSection(truncateMrkdwn(escapeMrkdwn(summaryText(runbook, language)), CARD_BUDGET.summary)),
  ];
  const evidence = (diagnosis?.evidence ?? []).filter((item) => !item.hint);
  if (evidence.length > 0) blocks.push(mrkdwnSection(evidenceText(evidence, copy)));
  blocks.push(
    section('cause', CARD_BUDGET.cause),
    section('fix', CARD_BUDGET.fix),
    section('verify', CARD_BUDGET.verify),
    section('notTheFix', CARD_BUDGET.notTheFix),
  );
  if (runbook.sources.length > 0) blocks.push(sourcesContext(runbook.sources, copy));
  blocks.push(answerActions(runbook, { remediationEnabled, shortened, language }));

  return fitMessage({ text: `${title}: ${summaryText(runbook, language)}`, blocks });
}

/**
 * The whole runbook, every section in full, for the "Show full runbook" button: as many messages as it
 * takes, each within Slack's limits.
 */
export function buildFullRunbookMessages(runbook: Runbook, language: AnswerLanguage = 'en'): SlackMessage[] {
  const copy = answerCopy(language);
  const title = titleText(runbook, language);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: false } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${inlineCode(runbook.id)} · ${escapeMrkdwn(runbook.file)}`, verbatim: true }] },
  ];
  for (const key of Object.keys(REQUIRED_SECTIONS) as SectionKey[]) {
    const heading = escapeMrkdwn(copy.sections[key]);
    const pieces = splitMrkdwn(`*${heading}*\n${markdownToMrkdwn(sectionText(runbook, key, language))}`, SLACK_LIMITS.sectionText);
    for (const piece of pieces) blocks.push(mrkdwnSection(piece));
  }
  if (runbook.sources.length > 0) blocks.push(sourcesContext(runbook.sources, copy));

  // Leave room in each message for fitMessage's fallback text and a notice.
  const perMessage = SLACK_LIMITS.blocksPerMessage - 2;
  const charsPerMessage = SLACK_LIMITS.messageChars - 4000;
  const messages: SlackMessage[] = [];
  let current: KnownBlock[] = [];
  let chars = 0;
  for (const block of blocks) {
    const size = JSON.stringify(block).length;
    if (current.length >= perMessage || (current.length > 0 && chars + size > charsPerMessage)) {
      messages.push(fitMessage({ text: title, blocks: current }));
      current = [];
      chars = 0;
    }
    current.push(block);
    chars += size;
  }
  if (current.length > 0) messages.push(fitMessage({ text: title, blocks: current }));
  return messages;
}

/** Feedback, remediation and "show more" buttons; values carry the runbook id so clicks need no state. */
export function answerActions(
  runbook: Runbook,
  { remediationEnabled, shortened, language = 'en' }: { remediationEnabled: boolean; shortened: boolean; language?: AnswerLanguage },
): ActionsBlock {
  const { buttons } = answerCopy(language);
  const elements: Button[] = [button(IDS.feedbackUp, buttons.helpful, runbook.id), button(IDS.feedbackDown, buttons.notHelpful, runbook.id)];
  if (remediationEnabled && runbook.remediation !== 'none') {
    elements.push(button(IDS.remediationCheckOpen, buttons.checkInstance, runbook.id, 'primary'));
  }
  if (shortened) elements.push(button(IDS.showFullRunbook, buttons.showFull, runbook.id));
  return { type: 'actions', block_id: languageBlockId('answer_actions', language), elements };
}

export function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: true }, value, ...(style ? { style } : {}) };
}

/** A section whose mrkdwn is shown as written: `verbatim` stops Slack from auto-linking names and mentions. */
export function mrkdwnSection(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: text === '' ? ' ' : text, verbatim: true } };
}

export function confidenceLabel(confidence: number): string {
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)}%`;
}

function metaLine(runbook: Runbook, diagnosis: Diagnosis | undefined, sharedBy: string | undefined, copy: AnswerCopy): string {
  const parts: string[] = [];
  if (diagnosis) parts.push(`${escapeMrkdwn(copy.confidence)} *${confidenceLabel(diagnosis.confidence)}*`);
  parts.push(inlineCode(runbook.id));
  if (runbook.appliesTo.length > 0) parts.push(escapeMrkdwn(truncateMrkdwn(runbook.appliesTo.slice(0, 3).join(', '), 200)));
  if (sharedBy && /^[UW][A-Z0-9]{2,}$/.test(sharedBy)) {
    const { before, after } = copy.sharedFromSearch;
    parts.push(`${escapeMrkdwn(before)}<@${sharedBy}>${escapeMrkdwn(after)}`);
  }
  if (diagnosis?.omitted) parts.push(`_${escapeMrkdwn(copy.omitted(diagnosis.omitted))}_`);
  return parts.join(' · ');
}

function evidenceText(evidence: Evidence[], copy: AnswerCopy): string {
  // Several signatures often match the same line: show each line once.
  const distinct = [...new Map(evidence.map((item) => [item.line, item])).values()];
  const lines = distinct.slice(0, CARD_BUDGET.evidenceLines).map((item) => {
    const line = item.line.length > CARD_BUDGET.evidenceLine ? `${item.line.slice(0, CARD_BUDGET.evidenceLine - 1)}…` : item.line;
    return codeBlock(line);
  });
  return `*${escapeMrkdwn(copy.whyThisRunbook(lines.length))}*\n${lines.join('\n')}`;
}

function sourcesContext(sources: string[], copy: AnswerCopy = answerCopy('en')): KnownBlock {
  const links = sources.slice(0, CARD_BUDGET.sources).map((url) => mrkdwnLink(url));
  const more = sources.length > CARD_BUDGET.sources ? ` (+${sources.length - CARD_BUDGET.sources})` : '';
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `${escapeMrkdwn(copy.sources)}: ${links.join(' · ')}${more}`, verbatim: true }] };
}
