import { summaryText, titleText, type AnswerLanguage } from '../core/diagnosis/answer-text';
import type { SearchHit } from '../core/diagnosis/types';
import type { Runbook } from '../core/knowledge/runbook';
import { formatRunbook } from './format-diagnosis';

/** Terminal rendering of `shim-fix search`: each hit's id, title and summary in the reader's language. */
export function formatSearchHits(query: string, hits: readonly SearchHit[], language: AnswerLanguage): string {
  if (hits.length === 0) {
    return language === 'zh'
      ? `没有与“${query}”匹配的运行手册。换几个词试试，或者直接粘贴报错：npm run ask -- "<报错>"`
      : `No runbook matches "${query}". Try fewer or other words, or paste the error: npm run ask -- "<error>"`;
  }
  const lines = hits.map(({ runbook }) => `${runbook.id}: ${titleText(runbook, language)}\n  ${summaryText(runbook, language)}`);
  // `show` is English unless asked: a Chinese list says how to keep the language for the runbook it leads to.
  if (language === 'zh') lines.push('', '查看整份中文手册：npx shim-fix show <ID> --lang zh');
  return lines.join('\n');
}

/** `shim-fix search --json`: `title` in the query's language, which `language` names. */
export function searchJson(hits: readonly SearchHit[], language: AnswerLanguage): Record<string, unknown>[] {
  return hits.map((hit) => ({ runbook: hit.runbook.id, title: titleText(hit.runbook, language), score: hit.score, language }));
}

/** `shim-fix show ID`: the id and title, then the runbook's sections, all in one language. */
export function formatShow(runbook: Runbook, language: AnswerLanguage): string {
  return [`${runbook.id}: ${titleText(runbook, language)}`, '', ...formatRunbook(runbook, language)].join('\n');
}

/** `shim-fix show` for an id that does not exist: what is known instead. */
export function unknownRunbookLine(id: string, known: readonly Runbook[], language: AnswerLanguage): string {
  const ids = known.map((runbook) => runbook.id).join(', ');
  return language === 'zh' ? `shim-fix: 没有运行手册 "${id}"。已有：${ids}` : `shim-fix: no runbook "${id}". Known: ${ids}`;
}
