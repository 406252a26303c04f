import type { KnownBlock } from '@slack/types';
import { answerCopy, explainText, summaryText, titleText } from '../../core/diagnosis/answer-text';
import type { Diagnosis } from '../../core/diagnosis/types';
import { IDS } from '../types';
import { button, confidenceLabel, mrkdwnSection } from './answer-card';
import { languageBlockId } from './block-language';
import { fitMessage, truncateMrkdwn, type SlackMessage } from './limits';
import { code, codeBlock, escapeMrkdwn, mrkdwn } from './mrkdwn';

const CANDIDATES_SHOWN = 3;

/**
 * Every answer that is not one runbook: two runbooks that fit equally (both named, with the command that
 * tells them apart), or no confident match (the closest runbooks, offered as a question when the paste
 * has no error string, and what to paste next). In the paste's language.
 */
export function buildNoMatchCard(diagnosis: Diagnosis): SlackMessage {
  return diagnosis.ambiguous && diagnosis.pair ? buildAmbiguousCard(diagnosis) : buildUnsureCard(diagnosis);
}

function buildAmbiguousCard(diagnosis: Diagnosis): SlackMessage {
  const language = diagnosis.language;
  const copy = answerCopy(language);
  const pair = diagnosis.pair!;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: copy.ambiguousHeading, emoji: false } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', verbatim: true, text: mrkdwn`${copy.confidence} *${confidenceLabel(pair.confidence)}* · ${copy.ambiguousIntro}`.text }],
    },
  ];
  for (const candidate of pair.candidates) blocks.push(candidateSection(candidate, language, copy.buttons.showRunbook));
  const evidence = [...new Set(diagnosis.evidence.map((item) => item.line))].slice(0, 2);
  if (evidence.length > 0) {
    blocks.push(mrkdwnSection(`*${escapeMrkdwn(copy.whyThisRunbook(evidence.length))}*\n${evidence.map((line) => codeBlock(line.slice(0, 320))).join('\n')}`));
  }
  blocks.push(
    mrkdwnSection(
      pair.discriminator
        ? `*${escapeMrkdwn(copy.tellApart)}*\n${codeBlock(pair.discriminator.command)}\n${escapeMrkdwn(explainText(pair.discriminator, language))}`
        : escapeMrkdwn(copy.tellApartFallback),
    ),
  );
  if (diagnosis.omitted) blocks.push(contextLine(copy.omitted(diagnosis.omitted)));
  const ids = pair.candidates.map((candidate) => candidate.runbook.id).join(' / ');
  return fitMessage({ text: `${copy.ambiguousHeading}: ${ids}`, blocks });
}

function buildUnsureCard(diagnosis: Diagnosis): SlackMessage {
  const language = diagnosis.language;
  const copy = answerCopy(language);
  const candidates = diagnosis.candidates.slice(0, CANDIDATES_SHOWN);
  const intro = candidates.length === 0 ? copy.unknownError : diagnosis.missing.includes('error-line') ? copy.isItOneOf : copy.closest;
  const blocks: KnownBlock[] = [mrkdwnSection(`*${escapeMrkdwn(copy.noConfidentMatch)}* ${escapeMrkdwn(intro)}`)];
  for (const candidate of candidates) blocks.push(candidateSection(candidate, language, copy.buttons.showRunbook));
  const asks = diagnosis.missing.length > 0 ? diagnosis.missing : (['error-line', 'journal'] as const);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        verbatim: true,
        // The copy marks commands with backticks; escaping keeps any `<` in them visible as written.
        text: `${escapeMrkdwn(copy.pasteNext)}\n${asks.map((item) => `• ${escapeMrkdwn(copy.missing[item])}`).join('\n')}\n${
          mrkdwn`${language === 'zh' ? '也可以搜索：' : 'Or look it up with '}${code(language === 'zh' ? '/shim-fix search <关键词>' : '/shim-fix search <words>')}`.text
        }`,
      },
    ],
  });
  if (diagnosis.omitted) blocks.push(contextLine(copy.omitted(diagnosis.omitted)));
  return fitMessage({ text: language === 'zh' ? '没有确定的匹配' : 'No confident match for this error', blocks });
}

function candidateSection(candidate: Diagnosis['candidates'][number], language: Diagnosis['language'], label: string): KnownBlock {
  return {
    type: 'section',
    // Block ids are unique within a message: one candidate, one runbook.
    block_id: languageBlockId(`candidate:${candidate.runbook.id}`, language),
    text: {
      type: 'mrkdwn',
      verbatim: true,
      text: truncateMrkdwn(
        `*${escapeMrkdwn(titleText(candidate.runbook, language))}* (${confidenceLabel(candidate.confidence)})\n${escapeMrkdwn(summaryText(candidate.runbook, language))}`,
        1200,
      ),
    },
    accessory: button(`${IDS.postRunbook}:${candidate.runbook.id}`, label, candidate.runbook.id),
  };
}

function contextLine(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', verbatim: true, text: `_${escapeMrkdwn(text)}_` }] };
}
