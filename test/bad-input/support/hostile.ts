import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';

/**
 * Hostile text for every entry point: Slack mrkdwn injection, control characters, lone surrogates, oversized
 * pastes (over Slack's 40,000 characters) and real error pastes with all of that spliced in.
 *
 * Injected user, channel and group ids carry the marker `EVIL` (which no id the tests configure has), so
 * `findEchoedMentions` can tell a mention that came from input apart from the app's own mentions (the operator).
 */
export const INJECTED_MENTIONS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!channel|@channel>',
  '<!here|here>',
  '<@U0EVIL0001>',
  '<@W0EVIL0002|boss>',
  '<#C0EVIL0003>',
  '<#C0EVIL0003|general>',
  '<!subteam^S0EVIL0004>',
  '<!subteam^S0EVIL0004|@oncall>',
  '<https://evil.example/|click me>',
  '@channel',
  '@here',
  '@everyone',
  // Pre-escaped and half-escaped forms: the app must not un-escape them back into markup.
  '&lt;!channel&gt;',
  '<!channel&gt;',
  '&lt;@U0EVIL0005>',
] as const;

/** Characters that break parsers and terminals: NUL, ESC sequences, bidi overrides, lone surrogates, BOM, DEL. */
export const CONTROL_CHARACTERS = ['\u0000', '\u0007', '\u0008', '\u001b[31m', '\u001b]0;pwned\u0007', '\u007f', '\u202e', '\u2066', '\ufeff', '\ud800', '\udfff', '\r', '\u2028', '\u2029'] as const;

/** Slack's message limit; pastes above it must be shortened, never rejected. */
export const SLACK_MESSAGE_CHARS = 40_000;

const HEADLINE = 'failed to create task for container: Unimplemented: failed to start shim: start failed: unsupported shim version (3): not implemented';

interface FixtureLine {
  id: string;
  category?: string;
  text: string;
}

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

/** Every paste from `test/fixtures/*.jsonl`, as recorded from public issue threads. */
export function fixturePastes(): FixtureLine[] {
  return ['real-pastes.jsonl', 'pastes-extra.jsonl', 'pastes-found.jsonl'].flatMap((file) =>
    readFileSync(path.join(FIXTURES, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as FixtureLine),
  );
}

const pastes = fixturePastes().map((paste) => paste.text);

export const injectedMention = fc.constantFrom(...INJECTED_MENTIONS);
export const controlCharacter = fc.constantFrom(...CONTROL_CHARACTERS);

/** A short piece of hostile text: mentions, control characters, markup and plain noise mixed. */
export const hostileFragment = fc.oneof(
  injectedMention,
  controlCharacter,
  fc.constantFrom('```', '`', '*', '_', '~', '>', '&', '&amp;', '&#60;', '<', '<<', '>>', '\\', '"', "'", '\n', '\t', '|', '^', '%00', '%F0%9F', '\\u0000'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** Hostile text up to a few hundred characters, often with the headline error so the bot answers it. */
export const hostileText = fc
  .tuple(fc.array(hostileFragment, { minLength: 1, maxLength: 12 }), fc.boolean(), fc.nat({ max: 12 }))
  .map(([parts, withHeadline, at]) => {
    const mixed = [...parts];
    if (withHeadline) mixed.splice(Math.min(at, mixed.length), 0, ` ${HEADLINE} `);
    return mixed.join('');
  });

/** A real paste with hostile fragments spliced in at random places (the bot answers most of these). */
export const hostilePaste = fc
  .tuple(fc.constantFrom(...pastes), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), hostileFragment), { minLength: 1, maxLength: 6 }))
  .map(([paste, insertions]) => {
    let text = paste;
    for (const [where, fragment] of insertions) {
      const at = Math.floor(where * text.length);
      text = `${text.slice(0, at)}${fragment}${text.slice(at)}`;
    }
    return text;
  });

/** Over Slack's 40,000 characters: a paste repeated, with mentions sprinkled through it. */
export const oversizedText = fc
  .tuple(fc.constantFrom(...pastes), injectedMention, fc.integer({ min: SLACK_MESSAGE_CHARS + 1, max: SLACK_MESSAGE_CHARS * 2 }))
  .map(([paste, mention, length]) => {
    const unit = `${mention} ${paste}\n`;
    return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  });

/** Text cut at an arbitrary point (a paste that lost its end, half a mention, half a surrogate pair). */
export const truncatedText = fc
  .tuple(fc.oneof(hostilePaste, fc.constant(`${HEADLINE} <!channel> 升级 😀`)), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([text, where]) => text.slice(0, Math.floor(where * text.length)));

/** Hostile text up to a real paste's length (no oversized case): for inputs where size is not the point. */
export const shortHostileText = fc.oneof({ arbitrary: hostileText, weight: 4 }, { arbitrary: hostilePaste, weight: 4 }, { arbitrary: truncatedText, weight: 2 });

/** Any of the above: what a property test throws at a text field. */
export const anyHostileText = fc.oneof(
  { arbitrary: hostileText, weight: 4 },
  { arbitrary: hostilePaste, weight: 4 },
  { arbitrary: truncatedText, weight: 2 },
  { arbitrary: oversizedText, weight: 1 },
);

/** A value of the wrong type for a field that expects a string (or anything for a field that expects an object). */
export const wrongType = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, '', [], {}, ['<!channel>'], { text: '<!channel>' }, { toString: 'x' }, { __proto__: { polluted: true } }),
  fc.integer(),
  fc.double(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

/** A value nested `depth` levels deep, built without recursion so the test itself cannot overflow its stack. */
export function deeplyNested(depth: number, leaf: unknown = '<!channel>'): string {
  return `${'['.repeat(depth)}${JSON.stringify(leaf)}${']'.repeat(depth)}`;
}

/** The same as JSON object nesting: `{"a":{"a":…}}`. */
export function deeplyNestedObject(depth: number, leaf: unknown = '<!channel>'): string {
  return `${'{"a":'.repeat(depth)}${JSON.stringify(leaf)}${'}'.repeat(depth)}`;
}

/** A JSON array with `length` elements, as text (cheap to build, expensive to parse carelessly). */
export function hugeArray(length: number, element: unknown = '<!here>'): string {
  const item = JSON.stringify(element);
  return `[${new Array<string>(length).fill(item).join(',')}]`;
}

export { HEADLINE };
