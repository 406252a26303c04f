import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createLocalSlackServer } from '../../lambda/cli/serve';
import { handler } from '../../lambda/handlers/slack';
import { MAX_BODY_BYTES } from '../../lambda/handlers/slack-http-boundary';
import {
  blockActionPayload,
  channelMessage,
  eventCallbackBody,
  functionUrlEvent,
  interactiveBody,
  messageShortcutPayload,
  nowSeconds,
  slashCommandBody,
  TEST_SIGNING_SECRET,
} from '../helpers/slack-request';
import { badInputCase } from '../reliability/bad-input-cases';
import { deeplyNested, deeplyNestedObject, HEADLINE, hostileFragment, hugeArray } from './support/hostile';
import { FORM, startSlackHarness, type SlackHarness } from './support/slack-harness';

/**
 * Raw bodies at the HTTP boundary: bytes that are not UTF-8, 10,000 levels of nesting, 100,000-element arrays,
 * bodies cut short, and unsigned or forged junk. Through the real Lambda handler and through `npm run serve`'s
 * HTTP server (in process, on a random loopback port).
 */
let harness: SlackHarness;
let server: Server;
let serveUrl: string;

beforeAll(async () => {
  harness = await startSlackHarness();
  server = createLocalSlackServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await harness.stop();
});
beforeEach(() => harness.reset());

/** Slack's signature over the exact bytes sent, whatever they are. */
function signBytes(bytes: Buffer, timestamp = nowSeconds(), secret = TEST_SIGNING_SECRET): Record<string, string> {
  const signature = createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`v0:${timestamp}:`), bytes])).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestamp) };
}

/** POSTs raw bytes to the local server, as Slack would to the Function URL. */
async function postToServe(bytes: Buffer, headers: Record<string, string>): Promise<number> {
  const response = await fetch(serveUrl, { method: 'POST', headers, body: bytes });
  await response.arrayBuffer();
  return response.status;
}

/** A Function URL event carrying raw bytes, base64-encoded as Function URLs deliver binary bodies. */
function base64Event(bytes: Buffer, contentType: string, headers: Record<string, string>): ReturnType<typeof functionUrlEvent> {
  return { ...functionUrlEvent('', { contentType, unsigned: true, headers }), body: bytes.toString('base64'), isBase64Encoded: true };
}

/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate halves, truncated, out of range. */
const invalidUtf8 = fc.constantFrom(
  [0x80],
  [0xbf, 0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf0, 0x9f, 0x98],
  [0xf4, 0x90, 0x80, 0x80],
  [0xfe],
  [0xff, 0xfe],
  [0xc3],
);

/** Valid bodies of every kind, as [bytes before the bad ones, bytes after, content type]. */
const validBodies = (responseUrl: string): Array<{ body: string; contentType: string }> => [
  { body: eventCallbackBody(channelMessage(`${HEADLINE} <!channel>`)), contentType: 'application/json' },
  { body: eventCallbackBody(channelMessage(`${HEADLINE}`, { channel: 'D0DIRECT01', channel_type: 'im' })), contentType: 'application/json' },
  { body: slashCommandBody('search unsupported shim', responseUrl), contentType: FORM },
  { body: slashCommandBody('restart i-0aaaaaaaaaaaaaaa1', responseUrl, { user_id: 'U0PERSON01' }), contentType: FORM },
  { body: interactiveBody(blockActionPayload({ action_id: 'runbook_full', value: 'shim-version-mismatch' }, { responseUrl })), contentType: FORM },
  { body: interactiveBody(messageShortcutPayload(HEADLINE, responseUrl)), contentType: FORM },
];

describe('raw request bodies', () => {
  test('invalid UTF-8 bytes in a signed body get a 4xx, never a 5xx', async () => {
    const utf8 = badInputCase('input-raw-invalid-utf8');
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        invalidUtf8,
        fc.boolean(),
        fc.boolean(),
        async (which, where, bad, viaServe, signed) => {
          // Prepare
          harness.reset();
          const { body, contentType } = validBodies(harness.slack.responseUrl())[which]!;
          const text = Buffer.from(body, 'utf8');
          const at = Math.floor(where * text.length);
          const bytes = Buffer.concat([text.subarray(0, at), Buffer.from(bad), text.subarray(at)]);
          const headers = { 'content-type': contentType, ...(signed ? signBytes(bytes) : {}) };

          // Act
          const status = viaServe ? await postToServe(bytes, headers) : (await harness.send(base64Event(bytes, contentType, headers))).statusCode;

          // Assess
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          expect(harness.unhandled).toEqual([]);
          expect(harness.crashes()).toEqual([]);
          expect(harness.echoedMentions()).toEqual([]);
        },
      ),
      { numRuns: utf8.count },
    );
  });

  const DEPTH = 10_000;
  const deepBodies = (responseUrl: string): Array<[string, string, string]> => [
    ['the whole body (arrays)', deeplyNested(DEPTH), 'application/json'],
    ['the whole body (objects)', deeplyNestedObject(DEPTH), 'application/json'],
    ['the url_verification challenge', `{"type":"url_verification","token":"t","challenge":${deeplyNestedObject(DEPTH)}}`, 'application/json'],
    ['an event field', eventCallbackBody(channelMessage(HEADLINE)).replace('"event":{', `"event":{"blocks":${deeplyNested(DEPTH)},`), 'application/json'],
    ['the event text', eventCallbackBody(channelMessage(HEADLINE)).replace(/"text":"[^"]*"/, `"text":${deeplyNestedObject(DEPTH)}`), 'application/json'],
    [
      'a button value in the interactive payload',
      `payload=${encodeURIComponent(JSON.stringify(blockActionPayload({ action_id: 'feedback_up', value: 'x' }, { responseUrl })).replace('"value":"x"', `"value":${deeplyNested(DEPTH)}`))}`,
      FORM,
    ],
  ];
  test('10,000 levels of nesting anywhere in a signed body never get a 5xx', async () => {
    const deep = badInputCase('input-raw-deep-nesting');
    const bodies = deepBodies(harness.slack.responseUrl());
    expect(bodies).toHaveLength(deep.count);
    for (const [where, body, contentType] of bodies) {
      // Prepare
      harness.reset();

      // Act
      const response = await harness.send(functionUrlEvent(body, { contentType }));

      // Assess
      // The label says which body failed.
      expect({ where, status: [200, 400, 413].includes(response.statusCode) ? 'ok' : response.statusCode }).toEqual({ where, status: 'ok' });
      expect(harness.unhandled).toEqual([]);
      expect(harness.crashes()).toEqual([]);
      expect(harness.echoedMentions()).toEqual([]);
    }
  });

  const LENGTH = 100_000;
  const hugeBodies = (responseUrl: string): Array<[string, string, string]> => [
    ['authorizations', eventCallbackBody(channelMessage(HEADLINE), { authorizations: JSON.parse(hugeArray(LENGTH, { user_id: 'U0EVIL0001' })) }), 'application/json'],
    ['event blocks', eventCallbackBody({ ...channelMessage(HEADLINE), blocks: JSON.parse(hugeArray(LENGTH)) }), 'application/json'],
    ['event text', eventCallbackBody(channelMessage(HEADLINE)).replace(/"text":"[^"]*"/, `"text":${hugeArray(LENGTH)}`), 'application/json'],
    ['actions', interactiveBody({ ...blockActionPayload({ action_id: 'feedback_down', value: 'shim-version-mismatch' }, { responseUrl }), actions: JSON.parse(hugeArray(LENGTH, { action_id: 'feedback_down', value: '<!here>' })) }), FORM],
    ['repeated slash-command text fields', `${slashCommandBody('help', responseUrl)}${'&text=%3C!channel%3E'.repeat(LENGTH / 2)}`, FORM],
  ];
  test('huge arrays in a signed body never get a 5xx', async () => {
    const huge = badInputCase('input-raw-huge-arrays');
    const bodies = hugeBodies(harness.slack.responseUrl());
    expect(bodies).toHaveLength(huge.count);
    for (const [where, body, contentType] of bodies) {
      // Prepare
      harness.reset();

      // Act
      const response = await harness.send(functionUrlEvent(body, { contentType }));

      // Assess
      // The label says which body failed. Over 1 MB the boundary refuses the body unparsed; under it the app answers.
      const expected = Buffer.byteLength(body) > MAX_BODY_BYTES ? [413] : [200, 400];
      expect({ where, status: expected.includes(response.statusCode) ? 'ok' : response.statusCode }).toEqual({ where, status: 'ok' });
      expect(harness.unhandled).toEqual([]);
      expect(harness.crashes()).toEqual([]);
      expect(harness.echoedMentions()).toEqual([]);
      expect(harness.slack.calls().length).toBeLessThanOrEqual(1);
    }
  });

  test('signed bodies cut at any point get a 200 or 400', async () => {
    const truncated = badInputCase('input-raw-truncated');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), async (which, where) => {
        // Prepare
        harness.reset();
        const { body, contentType } = validBodies(harness.slack.responseUrl())[which]!;
        const cut = body.slice(0, Math.floor(where * body.length));

        // Act
        const response = await harness.send(functionUrlEvent(cut, { contentType }));

        // Assess
        expect([200, 400]).toContain(response.statusCode);
        expect(harness.unhandled).toEqual([]);
        expect(harness.crashes()).toEqual([]);
        expect(harness.echoedMentions()).toEqual([]);
      }),
      { numRuns: truncated.count },
    );
  });

  test('unsigned or forged junk gets 401 and nothing is posted', async () => {
    const junk = badInputCase('input-raw-unsigned-junk');
    const junkBody = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      hostileFragment,
      fc.constant(eventCallbackBody(channelMessage(HEADLINE))),
      fc.constant(slashCommandBody('restart i-0aaaaaaaaaaaaaaa1', 'http://127.0.0.1:9/r', { user_id: 'U0PERSON01' })),
    );
    const signature = fc.constantFrom('none', 'forged', 'stale', 'other-secret', 'garbage');
    await fc.assert(
      fc.asyncProperty(junkBody.filter((body) => !body.includes('ssl_check')), fc.constantFrom('application/json', FORM, 'text/plain', ''), signature, async (body, contentType, how) => {
        // Prepare
        harness.reset();
        const headers =
          how === 'none'
            ? {}
            : how === 'garbage'
              ? { 'x-slack-signature': 'v0=<!channel>', 'x-slack-request-timestamp': 'yesterday' }
              : signBytes(Buffer.from(how === 'forged' ? `${body} ` : body), how === 'stale' ? nowSeconds() - 301 : nowSeconds(), how === 'other-secret' ? 'not-the-secret' : TEST_SIGNING_SECRET);

        // Act
        const response = await harness.send(functionUrlEvent(body, { contentType, unsigned: true, headers }));

        // Assess
        expect(response.statusCode).toBe(401);
        expect(harness.slack.calls()).toEqual([]);
        expect(harness.ssm.describeCalls()).toBe(0);
      }),
      { numRuns: junk.count },
    );
  });
});
