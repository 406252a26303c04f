import { createHash } from 'node:crypto';

/**
 * Longest dedupe key kept readable. DynamoDB refuses a partition key over 2,048 bytes; ids and values that come
 * from a payload (button values, trigger ids) can be longer, so past this length the parts are hashed.
 */
export const MAX_READABLE_KEY_CHARS = 256;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `kind:part:part…`, or `kind#<sha256 of the parts>` when that would be long (or hold a lone surrogate, which
 * DynamoDB's UTF-8 encoding would not keep): the same parts always give the same key.
 *
 * @example
 * dedupeKey('reply', 'C0CHANNEL1', '1712345678.000100') // 'reply:C0CHANNEL1:1712345678.000100'
 */
export function dedupeKey(kind: string, ...parts: readonly string[]): string {
  const readable = [kind, ...parts].join(':');
  if (readable.length <= MAX_READABLE_KEY_CHARS && !LONE_SURROGATE.test(readable)) return readable;
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `${kind}#${digest}`;
}
