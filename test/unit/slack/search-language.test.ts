import { InMemoryIdempotencyStore } from '../../../lambda/aws/idempotency-store';
import { createLambdaSlackHandler } from '../../../lambda/handlers/slack-app';
import { buildSearchResults } from '../../../lambda/slack/blocks/search-results';
import { routeSlashCommand } from '../../../lambda/slack/slash-command-routes';
import { HOSTILE_MRKDWN, mrkdwnStrings, strayControlCharacters } from '../../helpers/slack-mrkdwn-check';
import { shippedDiagnoser, shippedRunbooks } from '../../helpers/knowledge';
import { startSlackApiStub, type SlackApiStub } from '../../helpers/slack-api-stub';
import { blockActionPayload, functionUrlEvent, interactiveBody, slashCommandBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../helpers/slack-request';
import { silentLogger } from './fakes';

/** Issue 12 point 3: `/shim-fix search` with a Chinese query answers in Chinese, and so does the runbook it posts. */
const context = { awsRequestId: 'test-request' } as never;
const FORM = { contentType: 'application/x-www-form-urlencoded' };
const HEADLINE_ID = 'shim-version-mismatch';
const buttonLabels = (blocks: unknown): string[] =>
  [...JSON.stringify(blocks).matchAll(/"type":"button","action_id":"[^"]+","text":\{"type":"plain_text","text":"([^"]+)"/g)].map((m) => m[1]!);

interface SlackBody {
  response_type?: string;
  text?: string;
  blocks?: { type: string; block_id?: string; text?: { text: string } }[];
}

let slack: SlackApiStub;
const diagnoser = shippedDiagnoser();
const headline = shippedRunbooks().find((runbook) => runbook.id === HEADLINE_ID)!;

beforeAll(async () => {
  slack = await startSlackApiStub();
});
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

/** The real assembly over the shipped knowledge base, with an in-memory claim store. */
function slackHandler() {
  return createLambdaSlackHandler({
    secrets: { signingSecret: TEST_SIGNING_SECRET, botToken: TEST_BOT_TOKEN },
    slackApiUrl: slack.apiUrl,
    deps: { diagnoser, idempotency: new InMemoryIdempotencyStore(), logger: silentLogger() },
  });
}

async function slash(handler: ReturnType<typeof slackHandler>, text: string): Promise<SlackBody> {
  const response = await handler(functionUrlEvent(slashCommandBody(text, slack.responseUrl()), FORM), context);
  return JSON.parse(response.body) as SlackBody;
}

function resultBlock(body: SlackBody, id: string) {
  return body.blocks?.find((block) => block.block_id?.startsWith(`search:${id}`));
}

describe('/shim-fix search in the query’s language', () => {
  test('a Chinese query lists Chinese titles and summaries under Chinese copy and buttons', async () => {
    // Act
    const body = await slash(slackHandler(), 'search 升级后 shim 版本不支持');

    // Assess
    expect(body.response_type).toBe('ephemeral');
    const json = JSON.stringify(body.blocks);
    expect(body.text).toBe('与“升级后 shim 版本不支持”相关的运行手册');
    expect(json).toContain('与“升级后 shim 版本不支持”相关的运行手册：');
    expect(json).toContain('只有你能看到这条消息');
    expect(resultBlock(body, HEADLINE_ID)?.block_id).toBe(`search:${HEADLINE_ID}.zh`);
    expect(resultBlock(body, HEADLINE_ID)?.text?.text).toContain(`*${headline.titleZh}*`);
    expect(resultBlock(body, HEADLINE_ID)?.text?.text).toContain(headline.summaryZh.slice(0, 30));
    const labels = buttonLabels(body.blocks);
    expect(labels.length).toBeGreaterThan(0);
    expect(new Set(labels)).toEqual(new Set(['发到频道']));
    for (const english of ['Runbooks for', 'Only you can see this', 'Post to channel', headline.title]) expect(json).not.toContain(english);
  });

  test('an English query is answered as before', async () => {
    // Act
    const body = await slash(slackHandler(), 'search unsupported shim version');

    // Assess
    const json = JSON.stringify(body.blocks);
    expect(body.text).toBe('Runbooks for "unsupported shim version"');
    expect(json).toContain('Only you can see this. *Post to channel* shares the whole runbook with everyone here.');
    expect(resultBlock(body, HEADLINE_ID)?.block_id).toBe(`search:${HEADLINE_ID}`);
    expect(resultBlock(body, HEADLINE_ID)?.text?.text).toContain(`*${headline.title}*`);
    expect(new Set(buttonLabels(body.blocks))).toEqual(new Set(['Post to channel']));
    expect(json).not.toContain(headline.titleZh);
  });

  test('“发到频道” posts the runbook in Chinese, and its full view is Chinese too', async () => {
    // Prepare
    const handler = slackHandler();
    const results = await slash(handler, 'search shim 版本');
    const blockId = resultBlock(results, HEADLINE_ID)?.block_id;
    const click = blockActionPayload(
      { action_id: `runbook_post:${HEADLINE_ID}`, value: HEADLINE_ID, ...(blockId ? { block_id: blockId } : {}) },
      { responseUrl: slack.responseUrl(), ephemeral: true },
    );

    // Act
    await handler(functionUrlEvent(interactiveBody(click), FORM), context);
    const posted = slack.calls('response_url')[0]?.body as SlackBody | undefined;
    const actions = posted?.blocks?.find((block) => block.type === 'actions');
    const full = blockActionPayload(
      { action_id: 'runbook_full', value: HEADLINE_ID, ...(actions?.block_id ? { block_id: actions.block_id } : {}) },
      { responseUrl: slack.responseUrl() },
    );
    await handler(functionUrlEvent(interactiveBody(full), FORM), context);

    // Assess
    expect(posted?.blocks?.[0]).toMatchObject({ type: 'header', text: { text: headline.titleZh } });
    const card = JSON.stringify(posted?.blocks);
    expect(card).toContain('由 <@U0PERSON01> 通过 /shim-fix search 分享');
    expect(card).toContain('*原因*');
    expect(buttonLabels(posted?.blocks)).toEqual(expect.arrayContaining(['👍 有帮助', '👎 没帮助']));
    expect(actions?.block_id).toBe('answer_actions.zh');
    const fullView = slack.calls('response_url').slice(1).map((call) => JSON.stringify(call.body.blocks)).join('');
    expect(fullView).toContain(headline.titleZh);
    expect(fullView).toContain('*症状*');
    expect(fullView).not.toContain('*Symptoms*');
  });

  test('“搜索” is the search subcommand in Chinese', () => {
    expect(routeSlashCommand('搜索 shim 版本', false)).toEqual({ kind: 'search', query: 'shim 版本' });
    expect(routeSlashCommand('查找 shim', false)).toEqual({ kind: 'search', query: 'shim' });
  });
});

describe('Chinese search cards are escaped mrkdwn', () => {
  test.each([
    ['hits', buildSearchResults(`${HOSTILE_MRKDWN} 版本`, diagnoser.search('shim 版本', { limit: 5 }))],
    ['no hits', buildSearchResults(`${HOSTILE_MRKDWN} 版本`, [])],
  ])('%s', (_name, message) => {
    // Act
    const stray = mrkdwnStrings(message).flatMap(strayControlCharacters);

    // Assess
    expect(JSON.stringify(message.blocks)).toMatch(/没有与|相关的运行手册/);
    expect(stray).toEqual([]);
  });

  test('a Chinese query without hits says so in Chinese, with a Chinese example', () => {
    // Act
    const message = buildSearchResults('完全不相干', []);

    // Assess
    expect(message.text).toBe('没有与“完全不相干”匹配的运行手册');
    expect(JSON.stringify(message.blocks)).toContain('`/shim-fix search 升级后 shim 版本不支持`');
  });
});
