import type { Runbook, SectionKey } from '../knowledge/runbook';
import { countHan } from '../text/tokenise';
import type { MissingInput, OmittedInput } from './types';

export type AnswerLanguage = 'en' | 'zh';

/**
 * Every fixed string of an answer, in both languages, so the CLI and the Slack cards say the same thing
 * and a Chinese paste gets a Chinese answer from heading to button. Plain text: callers escape for Slack.
 */
export interface AnswerCopy {
  sections: Record<SectionKey, string>;
  confidence: string;
  matched: string;
  whyThisRunbook: (lines: number) => string;
  alsoPossible: string;
  sources: string;
  runbookFile: string;
  noConfidentMatch: string;
  channelSilent: string;
  closest: string;
  unknownError: string;
  /** For prose without an error string: the candidates offered as a question. */
  isItOneOf: string;
  ambiguousHeading: string;
  ambiguousIntro: string;
  tellApart: string;
  tellApartFallback: string;
  missing: Record<MissingInput, string>;
  pasteNext: string;
  omitted: (omitted: OmittedInput) => string;
  buttons: { helpful: string; notHelpful: string; checkInstance: string; showFull: string; showRunbook: string };
  shortened: string;
  /** Around the sharer's mention on a card posted from search results: the mention itself is Slack markup, not copy. */
  sharedFromSearch: { before: string; after: string };
}

const EN: AnswerCopy = {
  sections: { symptoms: 'Symptoms', cause: 'Cause', fix: 'Fix', verify: 'Verify', notTheFix: 'When this is not the fix' },
  confidence: 'Confidence',
  matched: 'matched',
  whyThisRunbook: (lines) => `Why this runbook — the line${lines === 1 ? '' : 's'} that matched:`,
  alsoPossible: 'Also possible',
  sources: 'Sources',
  runbookFile: 'Runbook',
  noConfidentMatch: 'No confident match.',
  channelSilent: 'No confident match: in a channel shim-fix would stay silent.',
  closest: 'These runbooks come closest:',
  unknownError: "I don't recognise this error from the runbooks I know.",
  isItOneOf: 'There is no error message in this, so I can only guess. Is it one of these?',
  ambiguousHeading: 'Two runbooks fit this error equally',
  ambiguousIntro: 'The same error comes from two different causes:',
  tellApart: 'Run this to tell them apart:',
  tellApartFallback: "No single command tells these two apart: check each runbook's Verify step.",
  missing: {
    'error-line': 'the full error line (the one with `error` or `failed`, not only the first line of the log)',
    journal: 'the log around it: `journalctl -u containerd -u kubelet --since -15min`',
    versions: 'the versions: `containerd --version; runc --version; kubelet --version`',
  },
  pasteNext: 'To get a confident answer, paste:',
  omitted: ({ chars, inputChars }) =>
    `The paste has ${inputChars.toLocaleString('en-US')} characters; I read the part that holds the error and left out ${chars.toLocaleString('en-US')}.`,
  buttons: { helpful: '👍 Helpful', notHelpful: '👎 Not helpful', checkInstance: 'Check an instance…', showFull: 'Show full runbook', showRunbook: 'Show runbook' },
  shortened: '(shortened: see the full runbook)',
  sharedFromSearch: { before: 'shared by ', after: ' from /shim-fix search' },
};

const ZH: AnswerCopy = {
  sections: { symptoms: '症状', cause: '原因', fix: '修复', verify: '验证', notTheFix: '不适用的情况' },
  confidence: '置信度',
  matched: '匹配',
  whyThisRunbook: () => '判断依据（匹配到的日志行）：',
  alsoPossible: '其他可能',
  sources: '参考来源',
  runbookFile: '运行手册',
  noConfidentMatch: '没有把握确定是哪个问题。',
  channelSilent: '没有把握确定是哪个问题：在频道里 shim-fix 不会回复。',
  closest: '最接近的运行手册：',
  unknownError: '已有的运行手册里没有这个错误。',
  isItOneOf: '这段话里没有错误信息，只能猜测。是下面哪一种情况吗？',
  ambiguousHeading: '这个错误同时符合两份运行手册',
  ambiguousIntro: '同一个错误可能来自两种不同的原因：',
  tellApart: '运行下面的命令区分：',
  tellApartFallback: '没有一条命令能区分这两种情况：请按两份手册的「验证」步骤分别检查。',
  missing: {
    'error-line': '完整的错误行（带 `error` 或 `failed` 的那一行，而不只是日志的第一行）',
    journal: '错误前后的日志：`journalctl -u containerd -u kubelet --since -15min`',
    versions: '版本信息：`containerd --version; runc --version; kubelet --version`',
  },
  pasteNext: '请补充以下内容，以便给出确定的答案：',
  omitted: ({ chars, inputChars }) => `粘贴内容共 ${inputChars} 个字符；只读取了包含错误的部分，略去 ${chars} 个字符。`,
  buttons: { helpful: '👍 有帮助', notHelpful: '👎 没帮助', checkInstance: '检查实例…', showFull: '查看完整手册', showRunbook: '查看手册' },
  shortened: '（已截断：请查看完整手册）',
  sharedFromSearch: { before: '由 ', after: ' 通过 /shim-fix search 分享' },
};

export function answerCopy(language: AnswerLanguage): AnswerCopy {
  return language === 'zh' ? ZH : EN;
}

/** A runbook section in the answer's language (every runbook has its whole body in both). */
export function sectionText(runbook: Runbook, key: SectionKey, language: AnswerLanguage): string {
  return language === 'zh' ? runbook.sectionsZh[key] : runbook.sections[key];
}

/** The runbook's title in the answer's language: card headers, candidate lists and the CLI's first line. */
export function titleText(runbook: Runbook, language: AnswerLanguage): string {
  return language === 'zh' ? runbook.titleZh : runbook.title;
}

export function summaryText(runbook: Runbook, language: AnswerLanguage): string {
  return language === 'zh' ? runbook.summaryZh : runbook.summary;
}

/** The discriminator's explanation in the answer's language. */
export function explainText(discriminator: { explain: string; explainZh: string }, language: AnswerLanguage): string {
  return language === 'zh' ? discriminator.explainZh : discriminator.explain;
}

/**
 * The language of a search query. A query is a few words someone typed, not a log that may quote a Chinese file name:
 * one Han character means the reader wrote, and so reads, Chinese (`shim 版本`), where a paste needs several.
 *
 * @example
 * queryLanguage('shim 版本') // 'zh'
 */
export function queryLanguage(query: string): AnswerLanguage {
  return countHan(query, 1) > 0 ? 'zh' : 'en';
}
