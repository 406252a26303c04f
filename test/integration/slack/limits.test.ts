import type { KnownBlock } from '@slack/types';
import { handler } from '../../../lambda/handlers/slack';
import { bundledKnowledgeJson } from '../../../lambda/handlers/knowledge-json';
import { createDiagnoser } from '../../../lambda/core/diagnosis/create-diagnoser';
import { loadKnowledgeBundle } from '../../../lambda/core/knowledge/bundle';
import type { Runbook } from '../../../lambda/core/knowledge/runbook';
import { buildAnswerCard, buildFullRunbookMessages } from '../../../lambda/slack/blocks/answer-card';
import { messageChars, SLACK_LIMITS, type SlackMessage } from '../../../lambda/slack/blocks/limits';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { channelMessage, eventCallbackBody, functionUrlEvent } from '../../helpers/slack-request';

const context = { awsRequestId: 'test-request', functionName: 'shim-fix-slack' } as never;
const diagnoser = createDiagnoser(loadKnowledgeBundle(bundledKnowledgeJson()));

/** Every Slack limit the builders promise, as a list of violations (empty when the message is valid). */
function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (message.blocks.length > SLACK_LIMITS.blocksPerMessage) problems.push(`${message.blocks.length} blocks`);
  if (messageChars(message) > SLACK_LIMITS.messageChars) problems.push(`${messageChars(message)} characters`);
  for (const block of message.blocks as KnownBlock[]) {
    if (block.type === 'section' && block.text && (block.text.text.length > SLACK_LIMITS.sectionText || block.text.text.length === 0)) {
      problems.push(`section text of ${block.text.text.length}`);
    }
    if (block.type === 'header' && block.text.text.length > SLACK_LIMITS.headerText) problems.push(`header of ${block.text.text.length}`);
    if (block.type === 'section' && block.text && (block.text.text.split('```').length - 1) % 2 === 1) problems.push('unbalanced code fence');
  }
  return problems;
}

function runbookSize(runbook: Runbook): number {
  return Object.values(runbook.sections).join('').length;
}

let env: SlackHandlerEnvironment;

beforeAll(async () => {
  env = await startSlackHandlerEnvironment();
});
afterAll(() => env.stop());
beforeEach(() => env.slack.reset());

describe("Slack's message limits", () => {
  test('the answer card and the full text of the longest runbook stay within every limit', () => {
    // Prepare
    const longest = [...diagnoser.runbooks()].sort((a, b) => runbookSize(b) - runbookSize(a))[0] as Runbook;

    // Act
    const card = buildAnswerCard({ runbook: longest, remediationEnabled: true });
    const full = buildFullRunbookMessages(longest);

    // Assess
    expect(limitViolations(card)).toEqual([]);
    expect(full.flatMap(limitViolations)).toEqual([]);
  });

  test('a runbook ten times longer than any we have is shortened with a way to see the rest, never rejected', () => {
    // Prepare
    const base = diagnoser.runbooks()[0] as Runbook;
    const fix = Array.from({ length: 400 }, (_, index) => `Step ${index}: run this\n\n\`\`\`bash\nsudo systemctl restart containerd # ${index}\n\`\`\``).join('\n\n');
    const huge: Runbook = { ...base, title: 'T'.repeat(400), sections: { ...base.sections, fix, cause: 'c'.repeat(20_000) } };

    // Act
    const card = buildAnswerCard({ runbook: huge, remediationEnabled: true });
    const full = buildFullRunbookMessages(huge);

    // Assess
    expect(limitViolations(card)).toEqual([]);
    expect(JSON.stringify(card.blocks.at(-1))).toContain('"action_id":"runbook_full"');
    expect(full.length).toBeGreaterThan(1);
    expect(full.flatMap(limitViolations)).toEqual([]);
    expect(full.map((message) => JSON.stringify(message.blocks)).join('')).toContain('sudo systemctl restart containerd # 399');
  });

  test('a 40,000-character paste in a channel gets one answer within every limit', async () => {
    // Prepare
    const noise = 'Nov 10 12:00:00 node-7 kubelet[900]: I1110 12:00:00.000000 900 kubelet.go:2000] "SyncLoop (PLEG)" <!channel> & <@U0BOSS001>\n';
    const error = 'Nov 10 12:00:01 node-7 dockerd[812]: failed to create task for container: unsupported shim version (3): not implemented\n';
    const paste = (error + noise.repeat(Math.ceil(40_000 / noise.length))).slice(0, 40_000);
    const message = channelMessage(paste);

    // Act
    const response = await handler(functionUrlEvent(eventCallbackBody(message)), context);

    // Assess
    expect(response.statusCode).toBe(200);
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    const posted = { text: String(posts[0]?.body.text), blocks: posts[0]?.body.blocks as KnownBlock[] };
    expect(limitViolations(posted)).toEqual([]);
    expect(JSON.stringify(posted)).not.toMatch(/<!channel>|<@U0BOSS001>/);
  });

  test('a 40,000-character paste the bot does not recognise, sent directly, gets a no-match answer within every limit', async () => {
    // Prepare
    const paste = 'x<y&z '.repeat(7000).slice(0, 40_000);
    const dm = channelMessage(paste, { channel: 'D0DIRECT01', channel_type: 'im' });

    // Act
    await handler(functionUrlEvent(eventCallbackBody(dm)), context);

    // Assess
    const posts = env.slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(limitViolations({ text: String(posts[0]?.body.text), blocks: posts[0]?.body.blocks as KnownBlock[] })).toEqual([]);
  });
});
