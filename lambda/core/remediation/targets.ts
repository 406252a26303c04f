import { TargetInvalidError } from './errors';

/** One EC2 instance (`i-…`) or hybrid managed node (`mi-…`). */
export interface InstanceTarget {
  kind: 'instance';
  instanceId: string;
}

/** Every instance carrying `key=value` (and, always, the allow tag). */
export interface FleetTarget {
  kind: 'fleet';
  tag: { key: string; value: string };
}

export type Target = InstanceTarget | FleetTarget;

export const TARGET_EXAMPLES = '`i-0123456789abcdef0`, a hybrid node such as `mi-0123456789abcdef0`, or a fleet such as `tag:team=payments`';

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const MANAGED_NODE_ID = /^mi-[0-9a-f]{17}$/;
/** AWS tag limits (Tagging best practices, "Tag naming limits"). */
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
// Letters, numbers, separators and `_ . : / = + - @`, as AWS allows in tags. `+` is left out of keys because SSM's
// Target.Key pattern does not accept it (a key with `+` can be tagged but not targeted), and `=` because it separates
// the key from the value here.
const TAG_KEY_CHARS = /^[\p{L}\p{Z}\p{N}_.:/\-@]+$/u;
const TAG_VALUE_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;

/** True for ids SSM can address: `i-` + 8 or 17 hex digits, `mi-` + 17 hex digits (lower case). */
export function isInstanceId(text: string): boolean {
  return INSTANCE_ID.test(text) || MANAGED_NODE_ID.test(text);
}

/**
 * Parses what follows `/shim-fix check|restart`. Tolerates the decorations people paste (back-ticks, quotes,
 * upper-case hex) but nothing that could address another resource.
 *
 * @throws TargetInvalidError with an example of the right form.
 * @example
 * parseTarget('i-0123456789abcdef0'); // { kind: 'instance', instanceId: 'i-0123456789abcdef0' }
 * parseTarget('tag:team=payments');   // { kind: 'fleet', tag: { key: 'team', value: 'payments' } }
 */
export function parseTarget(text: string): Target {
  const raw = stripDecorations(text);
  if (raw === '') {
    throw new TargetInvalidError(`Name the instance to act on: an instance id such as ${TARGET_EXAMPLES}.`);
  }
  if (/^tag:/i.test(raw)) return parseFleet(raw, text);
  const lower = raw.toLowerCase();
  if (isInstanceId(lower)) return { kind: 'instance', instanceId: lower };
  throw new TargetInvalidError(
    `\`${shorten(text.trim())}\` is not an instance id or a fleet tag. Use an instance id such as ${TARGET_EXAMPLES}.`,
  );
}

function parseFleet(raw: string, original: string): FleetTarget {
  const body = raw.slice('tag:'.length);
  const separator = body.indexOf('=');
  const key = separator >= 0 ? body.slice(0, separator).trim() : body.trim();
  const value = separator >= 0 ? body.slice(separator + 1).trim() : '';
  const shown = `\`${shorten(original.trim())}\``;
  if (separator < 0 || key === '' || value === '') {
    throw new TargetInvalidError(`${shown} needs a tag key and value: use \`tag:Key=Value\`, for example \`tag:team=payments\`.`);
  }
  if ([...key].length > TAG_KEY_MAX || !TAG_KEY_CHARS.test(key)) {
    throw new TargetInvalidError(
      `${shown}: a tag key has 1 to ${TAG_KEY_MAX} letters, digits, spaces or \`_ . : / - @\`. For example \`tag:team=payments\`.`,
    );
  }
  if (/^aws:/i.test(key)) {
    throw new TargetInvalidError(`${shown}: keys starting with \`aws:\` are reserved by AWS. Use one of your own tags, for example \`tag:team=payments\`.`);
  }
  if ([...value].length > TAG_VALUE_MAX || !TAG_VALUE_CHARS.test(value)) {
    throw new TargetInvalidError(
      `${shown}: a tag value has 1 to ${TAG_VALUE_MAX} letters, digits, spaces or \`_ . : / = + - @\`. For example \`tag:team=payments\`.`,
    );
  }
  return { kind: 'fleet', tag: { key, value } };
}

/** How a target is written in messages and in the audit trail; `parseTarget(formatTarget(t))` gives `t` back. */
export function formatTarget(target: Target): string {
  return target.kind === 'instance' ? target.instanceId : `tag:${target.tag.key}=${target.tag.value}`;
}

function stripDecorations(text: string): string {
  return text.trim().replace(/^[`'"]+|[`'"]+$/g, '').trim();
}

/** Echoes what the user typed, short and inert: no back-ticks (it is shown inside code) and no Slack control characters. */
function shorten(text: string): string {
  // Shown inside a code span, which Slack ends at a line break: one line, and nothing that could close the span or
  // start markup, so whatever was pasted (`@everyone` on the next line included) stays inert.
  const inert = text.replace(/[`<>&]/g, '').replace(/\s+/g, ' ');
  return inert.length > 60 ? `${inert.slice(0, 57)}...` : inert;
}
