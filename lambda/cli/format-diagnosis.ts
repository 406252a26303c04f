import { answerCopy, explainText, sectionText, summaryText, titleText, type AnswerLanguage } from '../core/diagnosis/answer-text';
import type { Diagnosis } from '../core/diagnosis/types';
import type { Runbook, SectionKey } from '../core/knowledge/runbook';

/** Terminal rendering of a diagnosis: what an on-call engineer reads before acting, in the paste's language. */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  const language = diagnosis.language;
  const copy = answerCopy(language);
  const out: string[] = [];
  if (diagnosis.omitted) out.push(`(${copy.omitted(diagnosis.omitted)})`, '');

  if (diagnosis.runbook) {
    out.push(`✔ ${diagnosis.runbook.id}: ${titleText(diagnosis.runbook, language)} (${copy.confidence} ${percent(diagnosis.confidence)})`, '');
    for (const line of [...new Set(diagnosis.evidence.map((evidence) => evidence.line))].slice(0, 3)) {
      out.push(`  ${copy.matched}: ${line}`);
    }
    out.push('', ...formatRunbook(diagnosis.runbook, language));
    const others = diagnosis.candidates.slice(1).filter((candidate) => candidate.confidence >= 0.2);
    if (others.length > 0) {
      out.push('', `${copy.alsoPossible}: ${others.map((c) => `${c.runbook.id} (${percent(c.confidence)})`).join(', ')}`);
    }
    return out.join('\n');
  }

  if (diagnosis.ambiguous && diagnosis.pair) {
    const { pair } = diagnosis;
    const mark = diagnosis.confident ? '✔' : '?';
    out.push(`${mark} ${copy.ambiguousHeading} (${copy.confidence} ${percent(pair.confidence)})`, '', copy.ambiguousIntro);
    for (const candidate of pair.candidates) {
      out.push(`  • ${candidate.runbook.id}: ${titleText(candidate.runbook, language)} (${percent(candidate.confidence)})`, `    ${summaryText(candidate.runbook, language)}`);
    }
    for (const line of [...new Set(diagnosis.evidence.map((evidence) => evidence.line))].slice(0, 2)) out.push(`  ${copy.matched}: ${line}`);
    out.push('');
    if (pair.discriminator) {
      out.push(copy.tellApart, `  ${pair.discriminator.command}`, `  ${explainText(pair.discriminator, language)}`);
    } else {
      out.push(copy.tellApartFallback);
    }
    // `show` is English unless asked: a Chinese answer's pointer keeps the reader in Chinese.
    const lang = language === 'zh' ? ' --lang zh' : '';
    out.push('', ...pair.candidates.map((c) => `${copy.runbookFile}: ${c.runbook.file}  (npx shim-fix show ${c.runbook.id}${lang})`));
    return out.join('\n');
  }

  const best = diagnosis.candidates[0];
  out.push(diagnosis.mode === 'channel' ? `✘ ${copy.channelSilent}` : `✘ ${copy.noConfidentMatch}${best ? ` (${percent(best.confidence)})` : ''}`);
  if (diagnosis.candidates.length > 0) {
    out.push('', diagnosis.missing.includes('error-line') ? copy.isItOneOf : copy.closest);
    for (const candidate of diagnosis.candidates) {
      out.push(`  ${candidate.runbook.id} (${percent(candidate.confidence)}): ${summaryText(candidate.runbook, language)}`);
    }
  } else {
    out.push('', copy.unknownError);
  }
  if (diagnosis.missing.length > 0) {
    out.push('', copy.pasteNext, ...diagnosis.missing.map((item) => `  - ${copy.missing[item]}`));
  }
  out.push('', language === 'zh' ? '也可以搜索：npx shim-fix search "关键词"' : 'Or search: npx shim-fix search "<words>"');
  return out.join('\n');
}

const SHOWN_SECTIONS: readonly SectionKey[] = ['cause', 'fix', 'verify', 'notTheFix'];

/** A runbook's answer sections in the reader's language. */
export function formatRunbook(runbook: Runbook, language: AnswerLanguage = 'en'): string[] {
  const copy = answerCopy(language);
  const out = [summaryText(runbook, language)];
  for (const key of SHOWN_SECTIONS) out.push('', copy.sections[key], indent(sectionText(runbook, key, language)));
  out.push('', `${copy.sources}: ${runbook.sources.join(' ')}`, `${copy.runbookFile}: ${runbook.file}`);
  return out;
}

function indent(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `  ${line}`))
    .join('\n');
}

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}
