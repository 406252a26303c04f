/**
 * Finds mentions in what the app sends to Slack that Slack would turn into a notification: `<!channel>`,
 * `<!here>`, `<!everyone>`, `<!subteam^…>`, `<@U…>` of anyone the app did not mean to mention, `<#C…>`, and the
 * bare `@channel` / `@here` / `@everyone` that Slack auto-parses in mrkdwn text objects without `verbatim: true`.
 *
 * Only text Slack renders is checked: a message's top-level `text` (parsed as mrkdwn) and the `text` of mrkdwn text
 * objects. `plain_text` objects, button values and `private_metadata` are never parsed for mentions. Slack's docs on
 * text objects: with `verbatim: false` (the default) "certain mentions will be automatically parsed".
 */
export interface MentionViolation {
  /** JSON-ish path of the offending text, e.g. `blocks[2].text.text`. */
  path: string;
  mention: string;
}

const MASS_MENTION = /<!(?:channel|here|everyone)(?=[|>])/gi;
const GROUP_MENTION = /<!subteam\^[^>]*>/gi;
const PERSON_OR_CHANNEL = /<([@#])([^>|]*)(?:\|[^>]*)?>/g;
const BARE_MASS_MENTION = /(^|[^\w@])@(channel|here|everyone)\b/gi;
// Code spans and fences are shown literally by Slack: nothing inside them notifies anyone.
const CODE = /```[\s\S]*?```|`[^`\n]*`/g;

/**
 * @param allowedUsers user ids the app mentions on purpose (the operators, the person who clicked).
 * @example
 * findEchoedMentions({ text: 'hi <!channel>' }, []) // [{ path: 'text', mention: '<!channel' }]
 */
export function findEchoedMentions(message: unknown, allowedUsers: readonly string[]): MentionViolation[] {
  const violations: MentionViolation[] = [];
  const stack: Array<{ value: unknown; path: string; parsed: 'mrkdwn' | 'verbatim' | 'none' }> = [{ value: message, path: '', parsed: 'none' }];
  while (stack.length > 0) {
    const { value, path, parsed } = stack.pop()!;
    if (typeof value === 'string') {
      if (parsed !== 'none') violations.push(...inText(value, path, parsed, allowedUsers));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: `${path}[${index}]`, parsed: 'none' }));
      continue;
    }
    const record = value as Record<string, unknown>;
    // A text object: `{ type: 'mrkdwn' | 'plain_text', text, verbatim? }`; a message: `{ text, blocks? }` (no type). A
    // message's own `text` parses `<…>` markup, but bare `@channel` only with `link_names`, which the app never sets.
    const textParsing: 'mrkdwn' | 'verbatim' | 'none' =
      record.type === 'mrkdwn' ? (record.verbatim === true ? 'verbatim' : 'mrkdwn') : record.type === undefined ? 'verbatim' : 'none';
    for (const [key, child] of Object.entries(record)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      stack.push({ value: child, path: childPath, parsed: key === 'text' && typeof child === 'string' ? textParsing : 'none' });
    }
  }
  return violations;
}

function inText(text: string, path: string, parsed: 'mrkdwn' | 'verbatim', allowedUsers: readonly string[]): MentionViolation[] {
  const found: MentionViolation[] = [];
  const outsideCode = text.replace(CODE, (code) => code.replace(/@/g, '＠'));
  for (const match of text.matchAll(MASS_MENTION)) found.push({ path, mention: match[0] });
  for (const match of text.matchAll(GROUP_MENTION)) found.push({ path, mention: match[0] });
  for (const match of text.matchAll(PERSON_OR_CHANNEL)) {
    const [whole, sigil, id = ''] = match;
    if (sigil === '#' || !allowedUsers.includes(id)) found.push({ path, mention: whole });
  }
  if (parsed === 'mrkdwn') {
    for (const match of outsideCode.matchAll(BARE_MASS_MENTION)) found.push({ path, mention: match[0].trim() });
  }
  return found;
}
