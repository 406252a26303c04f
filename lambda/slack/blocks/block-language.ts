import type { AnswerLanguage } from '../../core/diagnosis/answer-text';

/**
 * A click carries no state but its payload, and the runbook buttons' values are runbook ids (feedback and the check
 * dialog read them as such). So the language of the card a button sits on travels in its block's `block_id`, which
 * Slack echoes in every `block_actions` payload: `answer_actions` for English, `answer_actions.zh` for Chinese.
 * The card posted after the click is then in the language of the card that was clicked.
 */
const ZH_SUFFIX = '.zh';

/**
 * @example
 * languageBlockId('answer_actions', 'zh') // 'answer_actions.zh'
 */
export function languageBlockId(base: string, language: AnswerLanguage): string {
  return language === 'zh' ? `${base}${ZH_SUFFIX}` : base;
}

/** The language a clicked block was rendered in; English for any block id we did not mark (older cards included). */
export function languageOfBlockId(blockId: string | undefined): AnswerLanguage {
  return typeof blockId === 'string' && blockId.endsWith(ZH_SUFFIX) ? 'zh' : 'en';
}
