import * as z from 'zod';

/**
 * The words of a Slack message as a person reads them. `text` first; when it is empty (alerts from Alertmanager,
 * Grafana or Datadog put everything in legacy `attachments`; workflows and API posts may send only `blocks`), the
 * text of the section and rich_text blocks, then of the attachments. Parsed leniently: a part that does not have the
 * expected shape is skipped, never thrown on.
 */

const MAX_PARTS = 200;
const MAX_CHARS = 100_000;

const str = z.string().max(MAX_CHARS);
const textObject = z.object({ text: str }).loose();
const attachment = z
  .object({
    pretext: str.optional(),
    title: str.optional(),
    text: str.optional(),
    fallback: str.optional(),
    fields: z.array(z.object({ title: str.optional(), value: str.optional() }).loose()).max(MAX_PARTS).optional(),
  })
  .loose();

export interface MessageParts {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}

/** @example readableMessageText({ text: '', attachments: [{ title: 'FIRING', text: 'failed to start shim' }] }) // 'FIRING\nfailed to start shim' */
export function readableMessageText({ text, blocks, attachments }: MessageParts): string {
  if (typeof text === 'string' && text.trim() !== '') return text;
  const fromBlocks = blockTexts(blocks).join('\n').trim();
  if (fromBlocks !== '') return fromBlocks;
  return attachmentTexts(attachments).join('\n').trim();
}

function blockTexts(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  const out: string[] = [];
  for (const block of blocks.slice(0, MAX_PARTS)) {
    const type = (block as { type?: unknown } | null)?.type;
    if (type === 'section') {
      const { text, fields } = block as { text?: unknown; fields?: unknown };
      const main = textObject.safeParse(text);
      if (main.success) out.push(main.data.text);
      if (Array.isArray(fields)) for (const field of fields.slice(0, MAX_PARTS)) {
        const parsed = textObject.safeParse(field);
        if (parsed.success) out.push(parsed.data.text);
      }
    } else if (type === 'rich_text') {
      out.push(richText((block as { elements?: unknown }).elements, 0));
    }
  }
  return out.filter((part) => part.trim() !== '');
}

/** rich_text sections, lists, quotes and preformatted blocks, down to their text, link and code elements. */
function richText(elements: unknown, depth: number): string {
  if (!Array.isArray(elements) || depth > 4) return '';
  let out = '';
  for (const element of elements.slice(0, MAX_PARTS)) {
    if (element === null || typeof element !== 'object') continue;
    const { type, text, url, elements: inner } = element as { type?: unknown; text?: unknown; url?: unknown; elements?: unknown };
    if (typeof text === 'string') out += text;
    else if (type === 'link' && typeof url === 'string') out += url;
    // A nested container (section, list, quote, preformatted) is a line of its own.
    else if (inner !== undefined) out += `${out === '' || out.endsWith('\n') ? '' : '\n'}${richText(inner, depth + 1)}\n`;
  }
  return out.slice(0, MAX_CHARS).replace(/\n+$/, '');
}

function attachmentTexts(attachments: unknown): string[] {
  if (!Array.isArray(attachments)) return [];
  const out: string[] = [];
  for (const candidate of attachments.slice(0, MAX_PARTS)) {
    const parsed = attachment.safeParse(candidate);
    if (!parsed.success) continue;
    const { pretext, title, text, fallback, fields } = parsed.data;
    const own = [pretext, title, text].filter((part): part is string => part !== undefined && part.trim() !== '');
    for (const field of fields ?? []) own.push([field.title, field.value].filter((part) => part !== undefined && part !== '').join(': '));
    // The fallback repeats the rest in plain text; it is all there is in attachments that carry only a fallback.
    if (own.every((part) => part.trim() === '') && fallback !== undefined) own.push(fallback);
    out.push(...own.filter((part) => part.trim() !== ''));
  }
  return out;
}
