/**
 * What a test of "every mrkdwn string is escaped" checks: no raw `<`, `>` or `&` in what Slack reads as mrkdwn, except
 * the control sequences we mean (links to http(s) URLs, user mentions, dates) and the three entities.
 */
const MEANT = [
  /<https?:\/\/[^\s<>|]+(?:\|[^<>]+)?>/g,
  /<@[UW][A-Z0-9]+>/g,
  // Slack's date formatting (`<!date^1767323400^{time}|03:00 UTC>`): a time shown in each reader's time zone.
  /<!date\^\d+\^[^|<>]+\|[^<>]+>/g,
  /&(?:amp|lt|gt);/g,
];

/** Hostile input for every field a message echoes: broadcasts, mentions, links, placeholders, bare `&`, fences. */
export const HOSTILE_MRKDWN = '<!channel> <@U0BOSS> <#C0SECRET|x> <https://evil.example|click> a && b > c <words> ```';

/** Each raw `<`, `>` or `&` left once the meant sequences are taken out, with the text after it (for the message). */
export function strayControlCharacters(mrkdwnText: string): string[] {
  let rest = mrkdwnText;
  for (const pattern of MEANT) rest = rest.replace(pattern, '');
  return [...rest.matchAll(/[<>&][^<>&]{0,20}/g)].map((match) => match[0]);
}

/** Every string Slack reads as mrkdwn: `mrkdwn` text objects and the message's own `text` (notifications). */
export function mrkdwnStrings(message: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'mrkdwn' && typeof record.text === 'string') found.push(record.text);
    Object.values(record).forEach(walk);
  };
  walk(message);
  const topText = (message as { text?: unknown }).text;
  if (typeof topText === 'string') found.push(topText);
  return found;
}
