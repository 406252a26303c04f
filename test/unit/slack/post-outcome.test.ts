import { WebClient } from '@slack/web-api';
import { classifyPostFailure, slackWebClientOptions } from '../../../lambda/slack/post-outcome';
import { startSlackApiStub, type SlackApiStub } from '../../helpers/slack-api-stub';
import { unusedLoopbackPort } from '../../helpers/slack-loopback-port';

async function postFailure(client: WebClient): Promise<unknown> {
  return client.chat.postMessage({ channel: 'C0CHANNEL1', text: 'answer' }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

let slack: SlackApiStub;
beforeAll(async () => {
  slack = await startSlackApiStub();
});
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

describe('classifyPostFailure on real Web API client errors', () => {
  test('a connection refused before anything was sent is retried by the client and left to Slack re-delivery', async () => {
    // Prepare
    const client = new WebClient('xoxb-test', { ...slackWebClientOptions(`http://127.0.0.1:${await unusedLoopbackPort()}/api/`), retryConfig: { ...slackWebClientOptions(undefined).retryConfig, minTimeout: 1, maxTimeout: 1 } });

    // Act
    const error = await postFailure(client);

    // Assess
    expect(error).toMatchObject({ code: 'slack_webapi_request_error' });
    expect(classifyPostFailure(error)).toEqual({ posted: 'no', retryLater: true, reason: 'ECONNREFUSED' });
  });

  test('a timeout while Slack is still working may have posted: one attempt only', async () => {
    // Prepare
    slack.failNext('chat.postMessage', { slowMs: 2300 });
    const client = new WebClient('xoxb-test', slackWebClientOptions(slack.apiUrl));

    // Act
    const error = await postFailure(client);

    // Assess
    expect(classifyPostFailure(error)).toMatchObject({ posted: 'maybe' });
    expect(slack.calls('chat.postMessage')).toHaveLength(1);
  });

  test('a reset after the post went out may have posted: one attempt only', async () => {
    // Prepare
    slack.failNext('chat.postMessage', { resetAfterPosting: true }, 3);
    const client = new WebClient('xoxb-test', slackWebClientOptions(slack.apiUrl));

    // Act
    const error = await postFailure(client);

    // Assess
    expect(classifyPostFailure(error)).toMatchObject({ posted: 'maybe' });
    expect(slack.calls('chat.postMessage')).toHaveLength(1);
  });

  test("a 5xx with Slack's error body surely did not post and is worth a later attempt", async () => {
    // Prepare
    slack.failNext('chat.postMessage', { status: 503 }, 3);
    const client = new WebClient('xoxb-test', slackWebClientOptions(slack.apiUrl));

    // Act
    const error = await postFailure(client);

    // Assess
    expect(classifyPostFailure(error)).toEqual({ posted: 'no', retryLater: true, reason: 'http_503' });
    expect(slack.calls('chat.postMessage')).toHaveLength(3);
  });

  test('a platform error is final (invalid_blocks) unless Slack says it is transient (ratelimited)', async () => {
    // Prepare
    const client = new WebClient('xoxb-test', slackWebClientOptions(slack.apiUrl));
    slack.failNext('chat.postMessage', { error: 'invalid_blocks' });
    const invalid = await postFailure(client);
    slack.failNext('chat.postMessage', { error: 'ratelimited' });

    // Act
    const limited = await postFailure(client);

    // Assess
    expect(classifyPostFailure(invalid)).toEqual({ posted: 'no', retryLater: false, reason: 'invalid_blocks' });
    expect(classifyPostFailure(limited)).toEqual({ posted: 'no', retryLater: true, reason: 'ratelimited' });
  });

  test('a Bolt wrapper is looked through to the Web API error it carries', () => {
    // Prepare
    const inner = Object.assign(new Error('An HTTP protocol error occurred'), { code: 'slack_webapi_http_error', statusCode: 502, body: { ok: false, error: 'bad_gateway' } });

    // Act
    const failure = classifyPostFailure(Object.assign(new Error('wrapped'), { code: 'slack_bolt_unknown_error', original: inner }));

    // Assess
    expect(failure).toEqual({ posted: 'no', retryLater: true, reason: 'http_502' });
  });
});
