import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { escapeMrkdwn } from './mrkdwn';

/**
 * Slack's documented limits for messages, in one place. Every message the app sends goes through
 * `fitMessage`, so a long runbook or a 40,000-character paste is shortened here rather than rejected by
 * Slack with `invalid_blocks` or `msg_too_long`.
 */
export const SLACK_LIMITS = {
  /** Text object inside a section block. */
  sectionText: 3000,
  /** Each of a section's `fields`, and at most 10 of them. */
  sectionFieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  /** Text objects in a context block; at most 10 elements. */
  contextText: 3000,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  blocksPerMessage: 50,
  /** Characters per message; we count the fallback text plus every text in the blocks. */
  messageChars: 40_000,
} as const;

/** Top-level fallback text is what notifications and screen readers show: keep it short. */
export const FALLBACK_TEXT_CHARS = 3000;

export interface SlackMessage {
  /**
   * Fallback for notifications and screen readers; required alongside blocks. Builders pass plain text to
   * `fitMessage`, which escapes it (Slack parses mentions in this field too).
   */
  text: string;
  blocks: KnownBlock[];
}

const ELLIPSIS = '…';

// Half of a surrogate pair: what is left of an emoji when a paste or a script's output was cut mid-character.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Replaces lone surrogates with U+FFFD. The Web API client form-encodes every call and throws `URI malformed` on a
 * lone surrogate, so one half-emoji would make the whole post fail (and a retried event fail again).
 *
 * @example
 * wellFormed('cut \ud83d') // 'cut \ufffd'
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Shortens mrkdwn to at most `max` characters without breaking what Slack parses: never inside an
 * `&amp;` entity, a `<url|label>` link or a surrogate pair, preferring a line end, and closing a code
 * fence left open. `marker` is appended (and counted).
 *
 * @example
 * truncateMrkdwn('a'.repeat(5000), 3000).length // <= 3000
 */
export function truncateMrkdwn(input: string, max: number, marker = ELLIPSIS): string {
  const text = wellFormed(input);
  if (text.length <= max) return text;
  const closing = '\n```';
  const room = Math.max(0, max - marker.length - closing.length);
  let cut = safeCut(text, room);
  const lastNewline = text.lastIndexOf('\n', cut);
  if (lastNewline > room * 0.7) cut = lastNewline;
  let head = text.slice(0, cut).replace(/\s+$/, '');
  if (countFences(head) % 2 === 1) head += closing;
  return (head + marker).slice(0, max);
}

/** Plain text (header, button) shortened to `max` characters, not splitting a surrogate pair. */
export function truncatePlain(input: string, max: number): string {
  const text = wellFormed(input);
  if (text.length <= max) return text;
  return text.slice(0, safeCut(text, max - 1)) + ELLIPSIS;
}

/**
 * Splits long mrkdwn into pieces of at most `max` characters at line ends, closing a code fence at the end
 * of a piece and reopening it in the next, so each piece renders on its own.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const fence = '```';
  // Room for the closing fence a piece may need ("\n```"), and for the one a piece may reopen with ("```\n").
  const pieceBudget = Math.max(32, max - fence.length - 1);
  const lineBudget = Math.max(16, pieceBudget - fence.length - 1);
  const pieces: string[] = [];
  let lines: string[] = [];
  let length = 0;
  let inFence = false;

  const close = (): void => {
    if (lines.length === 0 || (lines.length === 1 && lines[0] === fence)) return;
    pieces.push(lines.join('\n') + (inFence ? `\n${fence}` : ''));
    lines = inFence ? [fence] : [];
    length = inFence ? fence.length : 0;
  };

  for (const line of text.split('\n')) {
    const isFence = /^\s*```/.test(line) && countFences(line) % 2 === 1;
    if (isFence && inFence && lines.length === 1 && lines[0] === fence) {
      // The fence closes right after a piece break: drop the empty code block instead of sending it.
      lines = [];
      length = 0;
      inFence = false;
      continue;
    }
    for (const segment of hardSplit(line, lineBudget)) {
      const added = (lines.length > 0 ? 1 : 0) + segment.length;
      if (length + added > pieceBudget) close();
      length += (lines.length > 0 ? 1 : 0) + segment.length;
      lines.push(segment);
    }
    if (isFence) inFence = !inFence;
  }
  close();
  return pieces;
}

function hardSplit(line: string, max: number): string[] {
  if (line.length <= max) return [line];
  const segments: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const cut = safeCut(rest, max);
    const at = cut > max / 2 ? cut : max;
    segments.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  segments.push(rest);
  return segments;
}

/**
 * Makes a message valid for Slack: escapes the fallback text, clamps every text to its limit (and makes it well-formed
 * UTF-16, see `wellFormed`), keeps at most 50 blocks and at most
 * 40,000 characters in all. When something is dropped, a context line says so; a trailing actions block
 * (feedback, "Show full runbook") is kept.
 */
export function fitMessage(message: SlackMessage): SlackMessage {
  const plain = message.text.trim() === '' ? 'shim-fix' : message.text;
  const text = truncateMrkdwn(escapeMrkdwn(truncatePlain(plain, FALLBACK_TEXT_CHARS)), FALLBACK_TEXT_CHARS);
  const clamped = message.blocks.map(clampBlock);
  const last = clamped[clamped.length - 1];
  const tail = last?.type === 'actions' ? [last] : [];
  const body = tail.length > 0 ? clamped.slice(0, -1) : clamped;

  const notice = (omitted: number): ContextBlock => ({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `_Shortened: ${omitted} more part${omitted === 1 ? '' : 's'} not shown._` }],
  });
  const noticeChars = 60;
  let budget = SLACK_LIMITS.messageChars - text.length - tail.reduce((sum, block) => sum + blockChars(block), 0) - noticeChars;
  const maxBody = SLACK_LIMITS.blocksPerMessage - tail.length;
  const kept: KnownBlock[] = [];
  for (const [index, block] of body.entries()) {
    const size = blockChars(block);
    const roomForNotice = index < body.length - 1 ? 1 : 0;
    if (kept.length + 1 + roomForNotice > maxBody || size > budget) {
      return { text, blocks: [...kept, notice(body.length - kept.length), ...tail] };
    }
    kept.push(block);
    budget -= size;
  }
  return { text, blocks: [...kept, ...tail] };
}

/** Characters of text a block carries (what the 40,000-character budget counts). */
export function blockChars(block: KnownBlock): number {
  let total = 0;
  const visit = (value: unknown): void => {
    if (typeof value === 'string') total += value.length;
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(block);
  return total;
}

/** Total characters of a message as `fitMessage` counts them. */
export function messageChars(message: SlackMessage): number {
  return message.text.length + message.blocks.reduce((sum, block) => sum + blockChars(block), 0);
}

function clampBlock(block: KnownBlock): KnownBlock {
  switch (block.type) {
    case 'section':
      return clampSection(block);
    case 'header':
      return { ...block, text: { ...block.text, text: truncatePlain(block.text.text, SLACK_LIMITS.headerText) } };
    case 'context':
      return {
        ...block,
        elements: block.elements.slice(0, SLACK_LIMITS.contextElements).map((element) =>
          element.type === 'mrkdwn' || element.type === 'plain_text'
            ? { ...element, text: clampText(element.type, element.text, SLACK_LIMITS.contextText) }
            : element,
        ),
      };
    case 'actions':
      return {
        ...block,
        elements: block.elements.slice(0, SLACK_LIMITS.actionsElements).map((element) =>
          element.type === 'button'
            ? {
                ...element,
                text: { ...element.text, text: truncatePlain(element.text.text, SLACK_LIMITS.buttonText) },
                ...(element.value !== undefined ? { value: wellFormed(element.value.slice(0, SLACK_LIMITS.buttonValue)) } : {}),
              }
            : element,
        ),
      };
    default:
      return block;
  }
}

function clampSection(block: SectionBlock): SectionBlock {
  const clamped: SectionBlock = { ...block };
  if (block.text) clamped.text = { ...block.text, text: clampText(block.text.type, block.text.text, SLACK_LIMITS.sectionText) };
  if (block.fields) {
    clamped.fields = block.fields
      .slice(0, SLACK_LIMITS.sectionFields)
      .map((field) => ({ ...field, text: clampText(field.type, field.text, SLACK_LIMITS.sectionFieldText) }));
  }
  if (block.accessory?.type === 'button') {
    clamped.accessory = {
      ...block.accessory,
      text: { ...block.accessory.text, text: truncatePlain(block.accessory.text.text, SLACK_LIMITS.buttonText) },
    };
  }
  return clamped;
}

function clampText(type: 'mrkdwn' | 'plain_text', text: string, max: number): string {
  const nonEmpty = text === '' ? ' ' : text;
  return type === 'mrkdwn' ? truncateMrkdwn(nonEmpty, max) : truncatePlain(nonEmpty, max);
}

function countFences(text: string): number {
  return text.split('```').length - 1;
}

/** The largest index <= `at` where cutting keeps surrogate pairs, `&…;` entities and `<…>` links whole. */
function safeCut(text: string, at: number): number {
  let cut = Math.max(0, Math.min(at, text.length));
  // Each rule only moves the cut back, and moving it back can land inside what another rule protects
  // (`&<https://…>` cut inside the link lands after the `&`), so apply them until none moves it.
  for (let previous = -1; cut !== previous; ) {
    previous = cut;
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    const head = text.slice(Math.max(0, cut - 8), cut);
    const amp = head.lastIndexOf('&');
    if (amp !== -1 && !head.slice(amp).includes(';')) cut = cut - head.length + amp;
    const open = text.lastIndexOf('<', cut - 1);
    const close = text.lastIndexOf('>', cut - 1);
    if (open > close && cut - open < 2200) cut = open;
  }
  return cut;
}
