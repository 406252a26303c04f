import { verifySlackRequest } from '@slack/bolt';
import fc from 'fast-check';
import { signSlackRequest, TEST_SIGNING_SECRET } from '../../helpers/slack-request';

describe('signSlackRequest (test helper)', () => {
  test('matches the example in Slack’s documentation', () => {
    // Prepare: the documented example request (api.slack.com/authentication/verifying-requests-from-slack).
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    // Act
    const headers = signSlackRequest(body, '8f742231b10e8888abcd99yyyzzz85a5', 1531420618);

    // Assess
    expect(headers['x-slack-signature']).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  test('produces signatures that Bolt’s own verifier accepts, for any body and time', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), fc.integer({ min: 0, max: 299 }), (body, age) => {
        // Prepare
        const now = 1_800_000_000;
        const headers = signSlackRequest(body, TEST_SIGNING_SECRET, now - age);

        // Act
        const verify = () =>
          verifySlackRequest({
            signingSecret: TEST_SIGNING_SECRET,
            body,
            headers: { 'x-slack-signature': headers['x-slack-signature'] ?? '', 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
            nowMilliseconds: now * 1000,
          });

        // Assess
        expect(verify).not.toThrow();
      }),
    );
  });

  test('Bolt rejects the helper’s signature made with another secret, or older than five minutes', () => {
    // Prepare
    const now = 1_800_000_000;
    const body = '{"type":"event_callback"}';
    const forged = signSlackRequest(body, 'another-secret', now);
    const stale = signSlackRequest(body, TEST_SIGNING_SECRET, now - 301);
    const verify = (headers: Record<string, string>) => () =>
      verifySlackRequest({
        signingSecret: TEST_SIGNING_SECRET,
        body,
        headers: { 'x-slack-signature': headers['x-slack-signature'] ?? '', 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
        nowMilliseconds: now * 1000,
      });

    // Act / Assess
    expect(verify(forged)).toThrow(/signature mismatch/);
    expect(verify(stale)).toThrow(/stale/);
  });
});
