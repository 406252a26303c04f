/**
 * Slack mrkdwn helpers. Slack treats `&`, `<` and `>` as control characters: `<!channel>`, `<@U123>` and
 * `<https://x|label>` are parsed out of any mrkdwn text. Everything that did not come from us (pastes,
 * queries, evidence lines) goes through `escapeMrkdwn` so a paste can never ping a channel or a person.
 */

const SPECIAL = /[&<>]/g;
const REPLACEMENTS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * @example
 * escapeMrkdwn('<!channel> a & b') // '&lt;!channel&gt; a &amp; b'
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(SPECIAL, (char) => REPLACEMENTS[char] ?? char);
}

/**
 * Mrkdwn that came out of {@link mrkdwn} or one of its helpers: it holds only the control sequences we meant
 * (links to http(s) URLs, mentions of validated user ids). Anything else interpolated into {@link mrkdwn} is text.
 */
export class Mrkdwn {
  private constructor(readonly text: string) {}

  /** Only for this module's helpers: `text` must already be safe. */
  static fromSafe(text: string): Mrkdwn {
    return new Mrkdwn(text);
  }

  toString(): string {
    return this.text;
  }
}

/**
 * The one builder for mrkdwn the app sends. Both the template's own words and every interpolation are escaped, so a
 * placeholder such as `<words>` shows as written and a paste can never ping anyone; only {@link Mrkdwn} values (from
 * {@link code}, {@link link}, {@link mention}, {@link joinMrkdwn} or a nested `mrkdwn`) pass through. `*bold*`,
 * `_italic_` and backticks are formatting, not control sequences, and stay as written.
 *
 * @example
 * mrkdwn`Run ${code('/shim-fix search <words>')} for ${query}`.text
 */
export function mrkdwn(strings: TemplateStringsArray, ...values: readonly (string | number | Mrkdwn)[]): Mrkdwn {
  let out = escapeMrkdwn(strings[0] ?? '');
  values.forEach((value, index) => {
    out += value instanceof Mrkdwn ? value.text : escapeMrkdwn(String(value));
    out += escapeMrkdwn(strings[index + 1] ?? '');
  });
  return Mrkdwn.fromSafe(out);
}

/** Inline code (see {@link inlineCode}) as trusted mrkdwn. */
export function code(text: string): Mrkdwn {
  return Mrkdwn.fromSafe(inlineCode(text));
}

/** A link (see {@link mrkdwnLink}) as trusted mrkdwn. */
export function link(url: string, label?: string): Mrkdwn {
  return Mrkdwn.fromSafe(mrkdwnLink(url, label));
}

/** `<@U…>` for a real user id; anything else is shown as text. */
export function mention(userId: string): Mrkdwn {
  return /^[UW][A-Z0-9]{1,20}$/.test(userId) ? Mrkdwn.fromSafe(`<@${userId}>`) : mrkdwn`${userId}`;
}

export function joinMrkdwn(parts: readonly Mrkdwn[], separator = '\n'): Mrkdwn {
  return Mrkdwn.fromSafe(parts.map((part) => part.text).join(escapeMrkdwn(separator)));
}

/** A fenced code block that shows `text` literally (escaped, and no fence inside can end it early). */
export function codeBlock(text: string): string {
  // A literal ``` would close the block; a zero-width space between the backticks keeps them visible but inert.
  const body = escapeMrkdwn(text).replace(/```/g, '`\u200b``');
  return '```' + (body === '' ? ' ' : body) + '```';
}

/** Inline code for a short value such as a runbook id or a query. */
export function inlineCode(text: string): string {
  return '`' + escapeMrkdwn(text).replace(/`/g, "'") + '`';
}

const FENCE = /^\s*```/;
const HEADING = /^#{1,6}\s+(.+?)\s*#*\s*$/;
const BULLET = /^(\s*)[-*+]\s+/;
// Bounded quantifiers keep these linear on hostile input.
const LINK = /\[([^\]\n]{1,300})\]\((https?:\/\/[^)\s]{1,2000})\)/g;
const BOLD = /\*\*([^*\n]{1,500})\*\*/g;
const BOLD_UNDERSCORE = /__([^_\n]{1,500})__/g;

/**
 * Converts the CommonMark our runbooks are written in to Slack mrkdwn: code fences lose their language tag,
 * headings and `**bold**` become `*bold*`, `[text](url)` becomes `<url|text>`, list markers become bullets.
 * Inline code spans are left untouched.
 *
 * @example
 * markdownToMrkdwn('Run **this**: [docs](https://example.com)') // 'Run *this*: <https://example.com|docs>'
 */
export function markdownToMrkdwn(markdown: string): string {
  let inFence = false;
  const out: string[] = [];
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      out.push('```');
      continue;
    }
    if (inFence) {
      out.push(escapeMrkdwn(line));
      continue;
    }
    out.push(convertProseLine(line));
  }
  return out.join('\n').trim();
}

function convertProseLine(line: string): string {
  // Split on inline code so formatting is never applied inside `code`.
  return line
    .split(/(`[^`\n]*`)/)
    .map((part, index) => {
      if (index % 2 === 1) return escapeMrkdwn(part);
      let text = escapeMrkdwn(part);
      if (index === 0) {
        const heading = HEADING.exec(text);
        if (heading) return `*${heading[1]}*`;
        text = text.replace(BULLET, '$1• ');
      }
      return text
        .replace(LINK, (_match, label: string, url: string) => `<${url}|${label.replace(/\|/g, '¦')}>`)
        .replace(BOLD, '*$1*')
        .replace(BOLD_UNDERSCORE, '*$1*');
    })
    .join('');
}

/** A short label for a source link: host and the last path segments, e.g. `github.com/containerd/containerd/issues/10984`. */
export function linkLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const label = `${parsed.host}${parsed.pathname}`.replace(/\/$/, '');
    return label.length > 80 ? `${label.slice(0, 79)}…` : label;
  } catch {
    return url.slice(0, 80);
  }
}

/** `<url|label>` with both parts made safe for mrkdwn. Only http(s) URLs become links. */
export function mrkdwnLink(url: string, label = linkLabel(url)): string {
  if (!/^https?:\/\//i.test(url)) return escapeMrkdwn(label);
  return `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}
