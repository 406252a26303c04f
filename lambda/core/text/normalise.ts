import { LINE_OVERLAP_CHARS, MAX_LINE_CHARS } from './limits';
import { selectExcerpt, type Omission } from './long-input';

/** A line's log level when the line says it (logrus `level=`, klog `E1110`, crictl `WARN[0000]`, event type). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface NormalisedText {
  /** Cleaned lines, none longer than MAX_LINE_CHARS (long lines become overlapping windows). */
  lines: string[];
  /** The log level of each line (same index as `lines`), or null when the line does not say. */
  levels: (LogLevel | null)[];
  /** The lines joined by newlines: what full-text search reads. */
  text: string;
  /** True when the input was longer than MAX_INPUT_CHARS and only part of it was read. */
  truncated: boolean;
  /** What was left out of an over-long input (null when all of it was read). */
  omitted: Omission | null;
}

/* eslint-disable no-control-regex -- stripping control characters is the point of these patterns */
// Every pattern here is checked by recheck in test/unit/core/regex-safety.test.ts: keep them linear.
const ANSI_ESCAPE = /\u001b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]/g;
const ESCAPED_ANSI = /\\(?:u001b|x1b|033|e)\[[0-9;]{0,32}m/gi;
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\ufeff]/g;
const CODE_FENCE = /```[a-z]{0,20}/gi;
const BACKTICK = /`/g;
const SLACK_LABELLED_LINK = /<([^<>|\n]{1,2000})\|([^<>\n]{1,2000})>/g;
const SLACK_BARE_LINK = /<((?:https?|mailto):[^<>\n]{1,2000})>/g;
const HTML_ENTITY = /&(lt|gt|amp|quot|#39|#x27);/g;
const LINE_CONTINUATION = /\\[ \t]{0,8}\r?\n/g;
const JSON_ESCAPE = /\\(["\\/nrt])/g;
const JOURNALCTL_PREFIX = /^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [\w.-]{1,255} [\w.@/-]{1,255}(?:\[\d{1,10}\])?: /;
const KLOG_PREFIX = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{1,9} {1,12}\d{1,10} [\w.-]{1,255}:\d{1,10}\] /;
const ISO_TIMESTAMP_PREFIX = /^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?\]? ?/;
const LOGRUS_TIME = /\btime="[^"\n]{0,64}" ?/g;
const LOGRUS_LEVEL = /\blevel=[a-z]{1,12} ?/gi;
const LOGRUS_MSG = /\bmsg="/g;
const SPACES = /[ \t\u00a0\u3000]+/g;
// Copy-paste damage: e-mail/Markdown quoting, typographic quotes, mojibake and replacement characters.
const QUOTE_PREFIX = /^(?:> ?){1,8}/;
const SMART_DOUBLE = /[\u201c\u201d\u201e\u2033\uff02]|\u00e2\u20ac[\u0153\u009d]/g;
const SMART_SINGLE = /[\u2018\u2019\u2032]|\u00e2\u20ac\u2122/g;
const REPLACEMENT = /\ufffd{1,8}/g;
const LEVEL_FIELD = /\blevel=([a-z]{1,12})/i;
const LEVEL_PREFIX = /^(?:(DEBU|INFO|WARN|ERRO|FATA)\[[\dT:.,Z+-]{1,40}\]|([IWEF])\d{4} \d\d:\d\d|(Normal|Warning) {1,40}[A-Z][A-Za-z]{1,60} )/;
/* eslint-enable no-control-regex */

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'", '#x27': "'" };
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', r: '\n', t: ' ' };

/**
 * Turns whatever people paste (Slack mrkdwn, code fences, journalctl or klog output, logrus fields,
 * JSON-escaped strings, ANSI colours) into plain log lines that signatures can match.
 *
 * @example
 * normalise('```Nov 10 12:00:00 node1 containerd[812]: level=error msg="unsupported shim version (3)"```').lines
 * // ['unsupported shim version (3)"']
 */
export function normalise(input: string): NormalisedText {
  // Over-long input: read the part that holds the error (the end of a log, lines around error-looking lines).
  const excerpt = selectExcerpt(input);
  let text = excerpt.text;

  text = text
    .replace(/\r\n?/g, '\n')
    .replace(SMART_DOUBLE, '"')
    .replace(SMART_SINGLE, "'")
    .replace(REPLACEMENT, '"')
    .replace(ANSI_ESCAPE, '')
    .replace(ESCAPED_ANSI, '')
    .replace(CONTROL_CHARS, '')
    .replace(CODE_FENCE, '\n')
    .replace(BACKTICK, '')
    .replace(SLACK_LABELLED_LINK, '$2')
    .replace(SLACK_BARE_LINK, '$1')
    .replace(HTML_ENTITY, (_, name: string) => ENTITIES[name] ?? '')
    .replace(LINE_CONTINUATION, ' ');
  // Pastes from `docker inspect` or JSON logs can be escaped twice (\\\" → \" → ").
  for (let pass = 0; pass < 2 && text.includes('\\'); pass += 1) {
    text = text.replace(JSON_ESCAPE, (_, char: string) => ESCAPES[char] ?? char).replace(LINE_CONTINUATION, ' ');
  }

  const lines: string[] = [];
  const levels: (LogLevel | null)[] = [];
  for (const raw of unwrapHardWrapped(text.split('\n'))) {
    const { line, level } = cleanLine(raw);
    if (line === '') continue;
    for (const part of windows(line)) {
      lines.push(part);
      levels.push(level);
    }
  }
  return { lines, levels, text: lines.join('\n'), truncated: excerpt.omitted !== null, omitted: excerpt.omitted };
}

/** Narrowest terminal a hard wrap is recognised at: shorter equal-length lines are just short lines. */
const MIN_WRAP_WIDTH = 60;
// A row that starts a new log record (syslog/journal date, ISO date, klog, logrus, crictl, JSON) is never a continuation.
const LOG_RECORD_START = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:|\[?\d{4}-\d\d-\d\d|[IWEF]\d{4} |time=|level=|[A-Z]{4}\[|\{)/;
// Column padding (kubectl tables, aligned output): equal lengths there mean alignment, not a wrap.
const PADDED = /\S {2,}\S|\t/;

/**
 * A terminal or mail client that wraps at a fixed column cuts words in half: consecutive lines of the same
 * length (≥ 60) followed by a shorter one are one line cut at that width, so they are glued back without a
 * space. A single wrapped line (one full row and a shorter rest) cannot be told from two log lines and is
 * left alone; the matcher joins neighbouring lines with a space, which covers wraps at word boundaries.
 */
function unwrapHardWrapped(raw: string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < raw.length; index += 1) {
    let line = raw[index]!;
    const width = line.length;
    let end = index;
    const continues = (row: string | undefined): row is string => row !== undefined && !LOG_RECORD_START.test(row) && !PADDED.test(row);
    while (width >= MIN_WRAP_WIDTH && !PADDED.test(line) && raw[end + 1]?.length === width && continues(raw[end + 1])) end += 1;
    if (end > index) {
      // The block of full rows, plus the shorter row that ends the wrapped line.
      for (let next = index + 1; next <= end; next += 1) line += raw[next]!;
      const rest = raw[end + 1];
      if (continues(rest) && rest.length > 0 && rest.length < width && !/^\s/.test(rest)) {
        line += rest;
        end += 1;
      }
      index = end;
    }
    out.push(line);
  }
  return out;
}

function cleanLine(raw: string): { line: string; level: LogLevel | null } {
  let line = raw.replace(SPACES, ' ').trim().replace(QUOTE_PREFIX, '');
  line = line.replace(JOURNALCTL_PREFIX, '');
  const level = levelOf(line);
  line = line.replace(KLOG_PREFIX, '').replace(ISO_TIMESTAMP_PREFIX, '');
  line = line.replace(LOGRUS_TIME, '').replace(LOGRUS_LEVEL, '').replace(LOGRUS_MSG, '');
  return { line: line.trim(), level };
}

const LEVEL_NAMES: Record<string, LogLevel> = {
  trace: 'debug', debug: 'debug', debu: 'debug', info: 'info', normal: 'info', i: 'info', notice: 'info',
  warn: 'warn', warning: 'warn', w: 'warn', error: 'error', erro: 'error', err: 'error', e: 'error',
  fatal: 'fatal', fata: 'fatal', f: 'fatal', panic: 'fatal', crit: 'fatal',
};

/** The level the line itself states: a klog, crictl or `kubectl describe` event prefix, else the first logrus field. */
function levelOf(line: string): LogLevel | null {
  const prefix = LEVEL_PREFIX.exec(line);
  const name = prefix?.[1] ?? prefix?.[2] ?? prefix?.[3] ?? LEVEL_FIELD.exec(line.slice(0, 400))?.[1];
  return name ? (LEVEL_NAMES[name.toLowerCase()] ?? null) : null;
}

/** Cuts a line longer than MAX_LINE_CHARS into overlapping windows so no match across a cut is lost. */
function windows(line: string): string[] {
  if (line.length <= MAX_LINE_CHARS) return [line];
  const parts: string[] = [];
  const step = MAX_LINE_CHARS - LINE_OVERLAP_CHARS;
  for (let start = 0; start < line.length; start += step) {
    parts.push(line.slice(start, start + MAX_LINE_CHARS));
    if (start + MAX_LINE_CHARS >= line.length) break;
  }
  return parts;
}

/** All regular expressions this module uses, for the regex-safety test. */
export const NORMALISER_PATTERNS: readonly RegExp[] = [
  ANSI_ESCAPE,
  ESCAPED_ANSI,
  CONTROL_CHARS,
  CODE_FENCE,
  SLACK_LABELLED_LINK,
  SLACK_BARE_LINK,
  HTML_ENTITY,
  LINE_CONTINUATION,
  JSON_ESCAPE,
  JOURNALCTL_PREFIX,
  KLOG_PREFIX,
  ISO_TIMESTAMP_PREFIX,
  LOGRUS_TIME,
  LOGRUS_LEVEL,
  LOGRUS_MSG,
  SPACES,
  QUOTE_PREFIX,
  SMART_DOUBLE,
  SMART_SINGLE,
  REPLACEMENT,
  LEVEL_FIELD,
  LEVEL_PREFIX,
  LOG_RECORD_START,
  PADDED,
];
