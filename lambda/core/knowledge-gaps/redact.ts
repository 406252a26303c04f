/**
 * Redaction of pastes kept as knowledge gaps. A gap is stored for 30 days and shown to everyone who opens App Home,
 * so anything that identifies a host, a person or a credential is replaced by a placeholder before it is stored.
 * The order matters: the most specific patterns (tokens, keys, e-mail addresses) run before the generic ones
 * (hostnames, hex ids, numbers) that would otherwise eat half of them. Bounded quantifiers keep every pattern linear.
 */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Slack tokens: bot, user, app, refresh, configuration (xoxb-, xoxp-, xoxa-, xoxe-, xapp-).
  [/\bxox[a-z]?-[A-Za-z0-9-]{1,200}/gi, '<slack-token>'],
  [/\bxapp-[A-Za-z0-9-]{1,200}/gi, '<slack-token>'],
  // AWS access key ids (long-term AKIA, temporary ASIA) and anything that looks like a secret access key after a label.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,20}\b/g, '<aws-key>'],
  [/\b(aws_secret_access_key|secret|password|token)(\s{0,3}[=:]\s{0,3})[^\s"']{1,200}/gi, '$1$2<secret>'],
  [/\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}\b/g, '<email>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // EC2 instances, hybrid managed nodes and other AWS resource ids (vol-, sg-, ami-, subnet-, vpc-, eni-).
  [/\b(?:i|mi|vol|sg|ami|subnet|vpc|eni|snap)-[0-9a-f]{8,17}\b/gi, '<aws-id>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '<ip>'],
  [/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, '<ip>'],
  // Dotted names with a letter in the last label: ip-10-0-0-1.ec2.internal, node1.example.com.
  [/\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z][A-Za-z0-9-]{1,62}\b/g, '<host>'],
  // EC2-style host names without a domain.
  [/\bip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\b/gi, '<host>'],
  // Container ids, digests, shas: 12+ hex characters with at least one digit.
  [/\b(?=[0-9a-f]{0,63}[0-9])[0-9a-f]{12,128}\b/gi, '<hex>'],
  [/\b\d{6,}\b/g, '<number>'],
];

/**
 * Replaces credentials and identifiers with placeholders (`<slack-token>`, `<aws-key>`, `<ip>`, `<host>`, …).
 *
 * @example
 * redact('dial 10.0.0.7:443 from i-0123456789abcdef0') // 'dial <ip> from <aws-id>'
 */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** Words that mark a line as the error rather than context (a prompt, a timestamp, a command). */
const ERROR_WORDS = /\b(?:error|err|failed|failure|fatal|panic|unsupported|not implemented|cannot|can't|unable|denied|refused|invalid|no such|timeout|timed out|exit status|unknown)\b/i;

/** At most this many characters of the line are kept: enough to recognise it, short enough for a Home tab row. */
export const MAX_LINE_CHARS = 200;

/**
 * The first line of a paste that looks like an error, redacted and trimmed; the first non-empty line when none does.
 * Undefined for a blank paste.
 *
 * @example
 * firstErrorLine('$ docker run x\ndocker: Error response from daemon: unsupported shim version (3)') // 'docker: Error response …'
 */
export function firstErrorLine(paste: string): string | undefined {
  const lines = paste
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^```/.test(line));
  const line = lines.find((candidate) => ERROR_WORDS.test(candidate)) ?? lines[0];
  if (line === undefined) return undefined;
  const redacted = redact(line).replace(/\s+/g, ' ');
  return redacted.length > MAX_LINE_CHARS ? `${redacted.slice(0, MAX_LINE_CHARS - 1)}…` : redacted;
}

/**
 * What groups two gaps together: the redacted error line without the parts that vary between occurrences of the
 * same error (timestamps, log prefixes, quoted names, numbers), lower-cased.
 *
 * @example
 * groupKey('time="2026-01-02T03:04:05Z" level=error msg="failed to start shim: <hex>"') === groupKey('time="2026-02-01T00:00:00Z" level=error msg="failed to start shim: <hex>"')
 */
export function groupKey(line: string): string {
  return line
    .toLowerCase()
    .replace(/\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:z|[+-]\d{2}:?\d{2})?/g, '')
    .replace(/\b[a-z]{3} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}\b/g, '')
    .replace(/\btime="[^"]{0,60}"/g, '')
    .replace(/"[^"]{0,200}"/g, (quoted) => (/[a-z]{3,}\s[a-z]/.test(quoted) ? quoted : '"…"'))
    .replace(/\d+/g, '#')
    .replace(/[^a-z#<>…"]+/g, ' ')
    .trim();
}
