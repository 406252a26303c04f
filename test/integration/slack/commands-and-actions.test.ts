import { handler } from '../../../lambda/handlers/slack';
import { bundledKnowledgeJson } from '../../../lambda/handlers/knowledge-json';
import { createLambdaSlackHandler, createSlackDeps } from '../../../lambda/handlers/slack-app';
import type { RemediationCommandInput } from '../../../lambda/slack/types';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import {
  blockActionPayload,
  functionUrlEvent,
  interactiveBody,
  messageShortcutPayload,
  slashCommandBody,
  TEST_BOT_TOKEN,
  TEST_SIGNING_SECRET,
} from '../../helpers/slack-request';
import { silentLogger } from '../../unit/slack/fakes';

const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const SHIM_PASTE = 'failed to create task for container: unsupported shim version (3): not implemented';

let env: SlackHandlerEnvironment;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
});
afterAll(() => env.stop());
beforeEach(() => env.slack.reset());

async function slash(text: string) {
  const response = await handler(functionUrlEvent(slashCommandBody(text, env.slack.responseUrl()), FORM), context);
  return { response, body: response.body === '' ? {} : (JSON.parse(response.body) as { response_type?: string; text?: string; blocks?: unknown[] }) };
}

/** The same assembly as the Lambda handler, without the remediation flow (a deployment that has not enabled it). */
function handlerWithoutRemediation() {
  const deps = createSlackDeps({ config: {}, knowledge: bundledKnowledgeJson(), logger: silentLogger() });
  return createLambdaSlackHandler({ secrets: { signingSecret: TEST_SIGNING_SECRET, botToken: TEST_BOT_TOKEN }, slackApiUrl: env.slack.apiUrl, deps });
}

async function interact(payload: Record<string, unknown>) {
  return handler(functionUrlEvent(interactiveBody(payload), FORM), context);
}

describe('/shim-fix', () => {
  test.each(['', 'help', '  HELP  '])('"%s" shows help ephemerally in the acknowledgement', async (text) => {
    // Act
    const { response, body } = await slash(text);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(body.response_type).toBe('ephemeral');
    expect(JSON.stringify(body.blocks)).toContain('/shim-fix search');
    expect(env.slack.calls()).toHaveLength(0);
  });

  test('search lists matching runbooks, each with a button that posts it to the channel', async () => {
    // Act
    const { body } = await slash('search unsupported shim version');

    // Assess
    expect(body.response_type).toBe('ephemeral');
    const json = JSON.stringify(body.blocks);
    expect(json).toContain('shim-version-mismatch');
    expect(json).toContain('"action_id":"runbook_post:shim-version-mismatch"');
  });

  test('search with no words says what to type', async () => {
    // Act
    const { body } = await slash('search');

    // Assess
    expect(body.text).toContain('/shim-fix search unsupported shim version');
  });

  test('an unknown subcommand gets help that suggests the closest one', async () => {
    // Act
    const { body } = await slash('serch shim');

    // Assess
    expect(JSON.stringify(body.blocks)).toContain('Did you mean `/shim-fix search shim`?');
  });

  test('a query cannot make the bot ping the channel', async () => {
    // Act
    const { body } = await slash('search <!channel> <@U0BOSS001> shim');

    // Assess
    const json = JSON.stringify(body);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U0BOSS001>');
    expect(json).toContain('&lt;!channel&gt;');
  });

  test.each(['check i-0123456789abcdef0', 'restart i-0123456789abcdef0', 'i-0123456789abcdef0', 'tag:env=prod'])(
    '"%s" explains that remediation is not configured when it is not',
    async (text) => {
      // Prepare
      const withoutRemediation = handlerWithoutRemediation();

      // Act
      const response = await withoutRemediation(functionUrlEvent(slashCommandBody(text, env.slack.responseUrl()), FORM), context);
      const body = JSON.parse(response.body) as { response_type?: string; text?: string };

      // Assess
      expect(body.response_type).toBe('ephemeral');
      expect(body.text).toContain('not configured');
    },
  );
});

describe('buttons', () => {
  test('"Post to channel" on a search result posts the runbook for everyone, once per click', async () => {
    // Prepare
    const responseUrl = env.slack.responseUrl();
    const payload = blockActionPayload({ action_id: 'runbook_post:shim-version-mismatch', value: 'shim-version-mismatch' }, { responseUrl, ephemeral: true });

    // Act
    await interact(payload);
    await interact(payload);

    // Assess
    const posts = env.slack.calls('response_url');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain('shared by <@U0PERSON01>');
  });

  test('"Show runbook" on a no-match candidate posts it into that thread', async () => {
    // Prepare
    const payload = blockActionPayload(
      { action_id: 'runbook_post:runtime-v1-removed', value: 'runtime-v1-removed' },
      { responseUrl: env.slack.responseUrl(), threadTs: '1700000000.000100' },
    );

    // Act
    await interact(payload);

    // Assess
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ channel: 'C0CHANNEL1', thread_ts: '1700000000.000100' });
  });

  test('👎 is acknowledged to the person who clicked', async () => {
    // Prepare
    const payload = blockActionPayload({ action_id: 'feedback_down', value: 'shim-version-mismatch' }, { responseUrl: env.slack.responseUrl() });

    // Act
    const response = await interact(payload);

    // Assess
    expect(response.statusCode).toBe(200);
    const replies = env.slack.calls('response_url');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(replies[0]?.body.text)).toContain('noted that this answer missed');
  });

  test('"Show full runbook" sends every section, only to the person who asked', async () => {
    // Prepare
    const payload = blockActionPayload({ action_id: 'runbook_full', value: 'shim-version-mismatch' }, { responseUrl: env.slack.responseUrl() });

    // Act
    await interact(payload);

    // Assess
    const replies = env.slack.calls('response_url');
    expect(replies.length).toBeGreaterThanOrEqual(1);
    const json = JSON.stringify(replies.map((reply) => reply.body));
    for (const heading of ['*Symptoms*', '*Cause*', '*Fix*', '*Verify*', '*When this is not the fix*']) expect(json).toContain(heading);
    expect(replies.every((reply) => reply.body.response_type === 'ephemeral')).toBe(true);
  });

  test('a click on a Chinese card answers in Chinese: the full runbook and the runbook posted from a candidate', async () => {
    // Prepare: the block ids a Chinese answer card and a Chinese no-match card give their buttons
    const full = blockActionPayload(
      { action_id: 'runbook_full', value: 'shim-version-mismatch', block_id: 'answer_actions.zh' },
      { responseUrl: env.slack.responseUrl() },
    );
    const post = blockActionPayload(
      { action_id: 'runbook_post:shim-version-mismatch', value: 'shim-version-mismatch', block_id: 'candidate:shim-version-mismatch.zh' },
      { responseUrl: env.slack.responseUrl(), ephemeral: true },
    );

    // Act
    await interact(full);
    await interact(post);

    // Assess
    const json = JSON.stringify(env.slack.calls('response_url').map((reply) => reply.body));
    for (const heading of ['*症状*', '*原因*', '*修复*', '*验证*', '*不适用的情况*']) expect(json).toContain(heading);
    expect(json).not.toContain('*When this is not the fix*');
    expect(json).toContain('"block_id":"answer_actions.zh"');
  });
});

describe('message shortcut "Diagnose with shim-fix"', () => {
  test('answers in the message’s thread, and a second run says it already did', async () => {
    // Prepare
    const payload = messageShortcutPayload(SHIM_PASTE, env.slack.responseUrl());
    const message = payload.message as { ts: string };

    // Act
    await interact(payload);
    await interact({ ...payload, trigger_id: '9999.8888.other' });

    // Assess
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.thread_ts).toBe(message.ts);
    expect(String(env.slack.calls('response_url')[0]?.body.text)).toContain('already answered');
  });

  test('the same delivery twice does nothing the second time', async () => {
    // Prepare
    const payload = messageShortcutPayload(SHIM_PASTE, env.slack.responseUrl());

    // Act
    await interact(payload);
    await interact(payload);

    // Assess
    expect(env.slack.calls('chat.postMessage')).toHaveLength(1);
    expect(env.slack.calls('response_url')).toHaveLength(0);
  });

  test('in a channel the bot is not in, it tells the person how to invite it', async () => {
    // Prepare
    env.slack.failNext('chat.postMessage', { error: 'not_in_channel' });

    // Act
    await interact(messageShortcutPayload(SHIM_PASTE, env.slack.responseUrl()));

    // Assess
    expect(String(env.slack.calls('response_url')[0]?.body.text)).toContain('/invite @shim-fix');
  });

  test('on a message without text, it says what to do instead', async () => {
    // Act
    await interact(messageShortcutPayload('', env.slack.responseUrl()));

    // Assess
    expect(env.slack.calls('chat.postMessage')).toHaveLength(0);
    expect(String(env.slack.calls('response_url')[0]?.body.text)).toContain('no text');
  });
});

describe('the remediation seam', () => {
  test('check, restart and targets are acknowledged and handed over with who, where and the text', async () => {
    // Prepare
    const received: Omit<RemediationCommandInput, 'respond' | 'client'>[] = [];
    const logger = silentLogger();
    const deps = createSlackDeps({ config: {}, knowledge: bundledKnowledgeJson(), logger });
    const remediated = createLambdaSlackHandler({
      secrets: { signingSecret: TEST_SIGNING_SECRET, botToken: TEST_BOT_TOKEN },
      slackApiUrl: env.slack.apiUrl,
      deps: {
        ...deps,
        remediation: {
          register: () => undefined,
          handleCommand: async ({ respond, client, ...input }) => {
            received.push(input);
            expect(typeof respond).toBe('function');
            expect(client).toBeDefined();
          },
        },
      },
    });

    // Act
    const responses = await Promise.all(
      ['check i-0123456789abcdef0', 'tag:env=prod', 'restart mi-0123456789abcdef0'].map((text) =>
        remediated(functionUrlEvent(slashCommandBody(text, env.slack.responseUrl()), FORM), context),
      ),
    );

    // Assess
    expect(responses.map((response) => [response.statusCode, response.body])).toEqual([
      [200, ''],
      [200, ''],
      [200, ''],
    ]);
    expect(received.map((input) => input.text).sort()).toEqual(['check i-0123456789abcdef0', 'restart mi-0123456789abcdef0', 'tag:env=prod']);
    expect(received[0]).toMatchObject({ userId: 'U0PERSON01', channelId: 'C0CHANNEL1', teamId: 'T0TEST001', triggerId: '1234.5678.abcdef' });
  });

  test('answer cards carry "Check an instance…" only when remediation is configured and the runbook allows it', async () => {
    // Prepare
    const deps = createSlackDeps({ config: {}, knowledge: bundledKnowledgeJson(), logger: silentLogger() });
    const remediated = createLambdaSlackHandler({
      secrets: { signingSecret: TEST_SIGNING_SECRET, botToken: TEST_BOT_TOKEN },
      slackApiUrl: env.slack.apiUrl,
      deps: { ...deps, remediation: { register: () => undefined, handleCommand: async () => undefined } },
    });

    // Act
    await remediated(functionUrlEvent(interactiveBody(messageShortcutPayload(SHIM_PASTE, env.slack.responseUrl())), FORM), context);
    await handlerWithoutRemediation()(functionUrlEvent(interactiveBody(messageShortcutPayload(SHIM_PASTE, env.slack.responseUrl())), FORM), context);

    // Assess
    const [withRemediation, without] = env.slack.calls('chat.postMessage').map((call) => JSON.stringify(call.body.blocks));
    expect(withRemediation).toContain('"action_id":"remediation_check_open","text":{"type":"plain_text","text":"Check an instance…"');
    expect(withRemediation).toContain('"value":"shim-version-mismatch"');
    expect(without).not.toContain('remediation_check_open');
  });
});
