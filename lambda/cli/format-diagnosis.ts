import type { Diagnosis } from '../core/diagnosis/types';
import type { Runbook } from '../core/knowledge/runbook';

/** Terminal rendering of a diagnosis: what an on-call engineer reads before acting. */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  const out: string[] = [];
  if (diagnosis.truncated) out.push('(The paste was longer than 40,000 characters; only the start was read.)', '');
  if (diagnosis.runbook) {
    out.push(`✔ ${diagnosis.runbook.id}: ${diagnosis.runbook.title} (confidence ${percent(diagnosis.confidence)})`, '');
    for (const line of [...new Set(diagnosis.evidence.map((evidence) => evidence.line))].slice(0, 3)) {
      out.push(`  matched: ${line}`);
    }
    out.push('', ...formatRunbook(diagnosis.runbook, diagnosis.language));
    const others = diagnosis.candidates.slice(1).filter((candidate) => candidate.confidence >= 0.2);
    if (others.length > 0) {
      out.push('', `Also possible: ${others.map((c) => `${c.runbook.id} (${percent(c.confidence)})`).join(', ')}`);
    }
    return out.join('\n');
  }
  const best = diagnosis.candidates[0];
  out.push(
    diagnosis.mode === 'channel'
      ? '✘ No confident match: in a channel shim-fix would stay silent.'
      : `✘ No confident match${best ? ` (best ${percent(best.confidence)})` : ''}.`,
  );
  if (diagnosis.candidates.length > 0) {
    out.push('', 'Closest runbooks:');
    for (const candidate of diagnosis.candidates) {
      out.push(`  ${candidate.runbook.id} (${percent(candidate.confidence)}): ${candidate.runbook.summary}`);
    }
  }
  out.push('', 'Paste the full error line (not only the first line of the log), or search: npx shim-fix search "<words>"');
  return out.join('\n');
}

export function formatRunbook(runbook: Runbook, language: 'en' | 'zh' = 'en'): string[] {
  const summary = language === 'zh' ? [runbook.summaryZh, runbook.summary] : [runbook.summary];
  return [
    ...summary,
    '',
    'Cause',
    indent(runbook.sections.cause),
    '',
    'Fix',
    indent(runbook.sections.fix),
    '',
    'Verify',
    indent(runbook.sections.verify),
    '',
    'When this is not the fix',
    indent(runbook.sections.notTheFix),
    '',
    `Sources: ${runbook.sources.join(' ')}`,
    `Runbook: ${runbook.file}`,
  ];
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
