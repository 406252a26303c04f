/**
 * Tokeniser shared by indexing and querying. MiniSearch's default splits on spaces and punctuation, which
 * leaves a Chinese sentence as one giant token; here runs of Han characters are segmented into words
 * with Intl.Segmenter (ICU's dictionary), so `containerd 升级后 容器无法启动` yields
 * `containerd`, `升级`, `容器`, `无法`, `启动`. The dictionary splits some technical words people type
 * (报错 → 报 + 错), so each Han run also yields its character bigrams, which match whatever the
 * dictionary does on either side.
 */
const HAN_RUN = /\p{Script=Han}+/gu;
// Letters and digits; `.` and `_` stay inside tokens only between alphanumerics (versions, identifiers).
const WORD = /[\p{L}\p{N}]+(?:[._][\p{L}\p{N}]+){0,8}/gu;

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const STOP_WORDS = new Set([
  // English function words and log noise that say nothing about which failure this is.
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'can', 'do', 'for', 'from', 'has', 'have', 'how', 'i',
  'if', 'in', 'is', 'it', 'its', 'me', 'my', 'no', 'not', 'of', 'on', 'or', 'our', 'so', 'that', 'the', 'then',
  'this', 'to', 'was', 'we', 'what', 'when', 'with', 'you', 'error', 'err', 'info', 'warn', 'warning', 'msg',
  'level', 'time', 'unknown',
  // Chinese particles and filler.
  '的', '了', '后', '在', '是', '我', '我们', '和', '就', '都', '也', '吗', '呢', '吧', '啊', '请问', '一下', '这个', '那个', '怎么',
]);

/** Splits text into search terms (lower-cased, stop words removed). */
export function tokenise(text: string): string[] {
  const tokens: string[] = [];
  const nonHan = text.replace(HAN_RUN, (run) => {
    const words = [...segmenter.segment(run)].filter((s) => s.isWordLike !== false).map((s) => s.segment);
    tokens.push(...words);
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i += 1) {
      const bigram = `${chars[i]}${chars[i + 1]}`;
      if (!words.includes(bigram)) tokens.push(bigram);
    }
    return ' ';
  });
  for (const match of nonHan.matchAll(WORD)) tokens.push(match[0]);
  return tokens.map((token) => token.toLowerCase()).filter((token) => token.length > 0 && !STOP_WORDS.has(token));
}

/** MiniSearch's per-term hook: tokens are already normalised by `tokenise`. */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : lower;
}

const HAN_CHAR = /\p{Script=Han}/gu;

/**
 * Counts Han characters, stopping at `limit`: enough to tell a Chinese question from an English log without
 * collecting every character of a long paste (this runs on every diagnosis).
 */
export function countHan(text: string, limit = Number.POSITIVE_INFINITY): number {
  let count = 0;
  for (const _ of text.matchAll(HAN_CHAR)) {
    count += 1;
    if (count >= limit) break;
  }
  return count;
}

export const TOKENISER_PATTERNS: readonly RegExp[] = [HAN_RUN, WORD, HAN_CHAR];
