import type { KnownBlock } from '@slack/types';
import type { Diagnosis } from '../../core/diagnosis/types';
import { IDS } from '../types';
import { button, confidenceLabel, mrkdwnSection } from './answer-card';
import { fitMessage, truncateMrkdwn, type SlackMessage } from './limits';
import { escapeMrkdwn } from './mrkdwn';

const CANDIDATES_SHOWN = 3;

/**
 * Direct mode below the threshold: say so plainly, list the best candidates with a button to post one,
 * and tell the user what to paste next.
 */
export function buildNoMatchCard(diagnosis: Diagnosis): SlackMessage {
  const candidates = diagnosis.candidates.slice(0, CANDIDATES_SHOWN);
  const chinese = diagnosis.language === 'zh';
  const blocks: KnownBlock[] = [
    mrkdwnSection(
      candidates.length > 0
        ? '*No confident match.* These runbooks come closest:'
        : "*No confident match.* I don't recognise this error from the runbooks I know.",
    ),
  ];
  for (const candidate of candidates) {
    const summary = chinese ? candidate.runbook.summaryZh : candidate.runbook.summary;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: truncateMrkdwn(`*${escapeMrkdwn(candidate.runbook.title)}* (${confidenceLabel(candidate.confidence)})\n${escapeMrkdwn(summary)}`, 1200),
      },
      accessory: button(`${IDS.postRunbook}:${candidate.runbook.id}`, 'Show runbook', candidate.runbook.id),
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        verbatim: true,
        text: 'Paste the first error line with a few lines around it, or look it up with `/shim-fix search &lt;words&gt;`.',
      },
    ],
  });
  if (diagnosis.truncated) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: '_Only the first 40,000 characters of the paste were read._' }] });
  }
  return fitMessage({ text: 'No confident match for this error', blocks });
}
