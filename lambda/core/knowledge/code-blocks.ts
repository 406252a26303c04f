import { REQUIRED_SECTIONS, REQUIRED_SECTIONS_ZH, type SectionKey } from './runbook';

const FENCE = /^([ \t]*)(`{3,}|~{3,})/;

/**
 * The fenced code blocks of a Markdown text, in order, each as its lines (opening fence and info string
 * included, closing fence excluded) with the fence's own indentation removed: a block nested in a list item
 * in one language and not in the other still holds the same commands.
 */
export function codeBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let open: { indent: number; fence: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (open === undefined) {
      const match = FENCE.exec(line);
      if (match) open = { indent: match[1]!.length, fence: match[2]!, lines: [line.slice(match[1]!.length).trimEnd()] };
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.startsWith(open.fence) && /^(`+|~+)$/.test(trimmed)) {
      blocks.push(open.lines);
      open = undefined;
      continue;
    }
    const indent = /^[ \t]*/.exec(line)![0].length;
    open.lines.push(line.slice(Math.min(indent, open.indent)).trimEnd());
  }
  // An unclosed fence runs to the end of the text, as in CommonMark.
  if (open !== undefined) blocks.push(open.lines);
  return blocks;
}

/** The Markdown without its code (fenced blocks and inline spans): what a reader reads as prose. */
export function proseOf(markdown: string): string {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const match = FENCE.exec(line);
    if (fence === undefined && match) fence = match[2];
    else if (fence !== undefined && line.trim().startsWith(fence) && /^(`+|~+)$/.test(line.trim())) fence = undefined;
    else if (fence === undefined) lines.push(line.replace(/`[^`\n]*`/g, ' '));
  }
  return lines.join('\n');
}

/**
 * Compares the code blocks of the English and Chinese sections, section by section, so a Chinese reader is
 * given exactly the commands an English reader is. Blocks are numbered across the whole English body
 * (1 = the first block of the runbook), which is how an author counts them when looking at the file.
 * Returns one sentence per difference (at most one per section: after the first difference the rest of a
 * section's blocks would only repeat it).
 */
export function codeBlockDifferences(english: Record<SectionKey, string>, chinese: Record<SectionKey, string>): string[] {
  const differences: string[] = [];
  let numbered = 0;
  for (const key of Object.keys(REQUIRED_SECTIONS) as SectionKey[]) {
    const en = codeBlocks(english[key]);
    const zh = codeBlocks(chinese[key]);
    const first = numbered + 1;
    numbered += en.length;
    const where = `"## ${REQUIRED_SECTIONS_ZH[key]}"`;
    if (en.length !== zh.length) {
      differences.push(
        `${where} has ${zh.length} code block(s) but "## ${REQUIRED_SECTIONS[key]}" has ${en.length}: both languages must give the same commands`,
      );
      continue;
    }
    const index = en.findIndex((block, i) => block.join('\n') !== zh[i]!.join('\n'));
    if (index < 0) continue;
    const enBlock = en[index]!;
    const zhBlock = zh[index]!;
    const line = enBlock.findIndex((text, i) => text !== zhBlock[i]);
    const at = line < 0 ? enBlock.length : line;
    // Line 0 is the opening fence with its info string; commands are counted from 1, as a reader counts them.
    const position = at === 0 ? 'at its opening fence' : `at line ${at}`;
    differences.push(
      `code block ${first + index} (in ${where}) differs from the English one ${position}: ` +
        `${quote(zhBlock[at])} instead of ${quote(enBlock[at])}; code blocks must be identical in both languages`,
    );
  }
  return differences;
}

function quote(line: string | undefined): string {
  return line === undefined ? '(end of block)' : JSON.stringify(line);
}
