import fc from 'fast-check';
import { filledBody, realPayloads } from '../helpers/slack-payloads';
import { functionUrlEvent, interactiveBody } from '../helpers/slack-request';
import { FORM, startSlackHarness, type SlackHarness } from './support/slack-harness';

/**
 * Issue 10 point 4: Slack's real payload shapes (test/fixtures/slack), signed, with any field replaced by what a
 * fuzzer found breaking things: prototype-key team ids, `null` (`"ssl_check": null`), objects and numbers for ids and
 * `action.value`, lone surrogates, strings over 2 KB for the fields that end up in dedupe keys. Never a 5xx, never a
 * listener crash, never an unhandled rejection.
 */
let harness: SlackHarness;
beforeAll(async () => {
  harness = await startSlackHarness();
});
afterAll(() => harness.stop());
beforeEach(() => harness.reset());

const PASTE = 'failed to start shim: start failed: unsupported shim version (3): not implemented';

const HOSTILE_VALUES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  null,
  {},
  { id: { id: 'T111' } },
  [],
  [1, 2],
  42,
  true,
  '',
  '\ud800',
  'T1\udfff',
  'x'.repeat(3000),
  '<!channel>',
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in the body (objects and arrays included), so any field can be replaced. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((item, index) => out.push(...paths(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  return out;
}

function replaced(body: Json, path: (string | number)[], replacement: unknown): Json {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) Object.defineProperty(node, last, { value: replacement, enumerable: true, writable: true, configurable: true });
  return copy as Json;
}

/** The signed request Slack would send for this payload kind. */
function request(kind: string, body: Json) {
  if (kind === 'interactive') return functionUrlEvent(interactiveBody(body as Record<string, unknown>), { contentType: FORM });
  if (kind === 'command') {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    return functionUrlEvent(form.toString(), { contentType: FORM });
  }
  return functionUrlEvent(JSON.stringify(body));
}

const SHAPES = realPayloads().filter((payload) => payload.kind !== 'form');

/** The filled body as an object; a slash command's form becomes its fields, for `/shim-fix search`. */
function startingBody(id: string, kind: string): Json {
  const body = filledBody(id, { paste: PASTE, responseUrl: harness.slack.responseUrl() }) as unknown;
  if (kind !== 'command' || typeof body !== 'string') return body as Json;
  return { ...Object.fromEntries(new URLSearchParams(body)), command: '/shim-fix', text: 'search shim version', response_url: harness.slack.responseUrl() };
}

describe('real payload shapes with fields mutated, signed', () => {
  test.each(SHAPES.map((shape) => [shape.id, shape.kind]))('unmutated, %s is accepted (the mutations start from a valid request)', async (id, kind) => {
    // Act
    const response = await harness.send(request(kind, startingBody(id, kind)));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(harness.crashes()).toEqual([]);
  });

  test('unmutated, a pasted error in a channel is answered (the harness really runs the listeners)', async () => {
    // Act
    await harness.send(request('event', filledBody('event.message.plain', { paste: PASTE }) as Json));

    // Assess
    expect(harness.slack.landed('chat.postMessage')).toHaveLength(1);
  });

  test('never a 5xx, never a listener crash, never an unhandled rejection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SHAPES),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...HOSTILE_VALUES),
        fc.constantFrom(...HOSTILE_VALUES),
        async (shape, firstPick, secondPick, first, second) => {
          // Prepare: two fields replaced, the second chosen after the first changed the shape.
          const body = startingBody(shape.id, shape.kind);
          const firstPaths = paths(body);
          const once = replaced(body, firstPaths[firstPick % firstPaths.length] ?? [], first);
          const secondPaths = paths(once);
          const mutated = secondPaths.length > 0 ? replaced(once, secondPaths[secondPick % secondPaths.length] ?? [], second) : once;
          harness.reset();

          // Act
          const response = await harness.send(request(shape.kind, mutated));

          // Assess
          expect({ shape: shape.id, status: response.statusCode < 500 ? 'ok' : response.statusCode }).toEqual({ shape: shape.id, status: 'ok' });
          expect(harness.crashes()).toEqual([]);
          expect(harness.unhandled).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });

  test.each(['__proto__', 'constructor', 'toString'])('a team id of %s is refused at the boundary (400), not a 500', async (teamId) => {
    // Prepare
    const body = filledBody('event.message.plain', { paste: PASTE }) as Record<string, unknown>;
    (body.authorizations as Record<string, unknown>[])[0]!.team_id = teamId;

    // Act
    const response = await harness.send(functionUrlEvent(JSON.stringify(body)));

    // Assess
    expect(response.statusCode).toBe(400);
  });

  test('"ssl_check": null does not skip the envelope checks', async () => {
    // Act
    const responses = await Promise.all(
      [{ ssl_check: null, actions: {} }, { ssl_check: null, event: { user: null } }, { ssl_check: null, type: 'view_submission' }].map((body) =>
        harness.send(functionUrlEvent(JSON.stringify(body))),
      ),
    );

    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([400, 400, 400]);
  });

  test('a non-string action value never reaches a listener', async () => {
    // Prepare
    const body = filledBody('block_actions.ephemeral', { responseUrl: harness.slack.responseUrl() }) as { actions: Record<string, unknown>[] };
    body.actions[0]!.value = { targetText: 'i-0123' };

    // Act
    const response = await harness.send(functionUrlEvent(interactiveBody(body), { contentType: FORM }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(harness.crashes()).toEqual([]);
  });
});
