import fc from 'fast-check';
import { REMEDIATION_IDS } from '../../lambda/slack/remediation/ids';
import { IDS } from '../../lambda/slack/types';
import { blockActionPayload, functionUrlEvent, interactiveBody, messageShortcutPayload, slashCommandBody, TEST_TEAM_ID } from '../helpers/slack-request';
import { until } from '../integration/remediation/check-first-steps';
import { badInputCase } from '../reliability/bad-input-cases';
import { anyHostileText, hostileFragment, oversizedText, wrongType } from './support/hostile';
import { FORM, OPERATOR, startSlackHarness, TAGGED_INSTANCE, type SlackHarness } from './support/slack-harness';

/**
 * Interactivity (buttons, the check modal, the message shortcut) through the real Lambda handler, signed, with
 * remediation configured: every action id the app registers gets hostile values, users, channels and containers.
 */
let harness: SlackHarness;

beforeAll(async () => {
  harness = await startSlackHarness();
});
afterAll(() => harness.stop());
beforeEach(() => harness.reset());

const STRANGER = 'U0PERSON02';

/** Every action id the app registers (diagnosis and remediation listeners). */
const ACTION_IDS = [
  `${IDS.postRunbook}:shim-version-mismatch`,
  `${IDS.postRunbook}:<!channel>`,
  IDS.showFullRunbook,
  IDS.feedbackUp,
  IDS.feedbackDown,
  IDS.remediationCheckOpen,
  REMEDIATION_IDS.confirm,
  REMEDIATION_IDS.confirmWithDocker,
  REMEDIATION_IDS.cancel,
  REMEDIATION_IDS.restartFromCheck,
] as const;

let instanceCounter = 0;

/** A fresh tagged instance per run: the in-memory lock of a previous run must not decide this one. */
function freshInstance(): string {
  instanceCounter += 1;
  const id = `i-${(0xb0000 + instanceCounter).toString(16).padStart(17, '0')}`;
  harness.ssm.nodes.set(id, { tags: { 'shim-fix': 'enabled' } });
  return id;
}

/**
 * Plans a check as the operator through `/shim-fix check` and returns the plan id on its Confirm button (a restart
 * shows no card before its check has measured the host).
 */
async function planCheck(instanceId: string): Promise<string> {
  const responseUrl = harness.slack.responseUrl();
  const before = harness.slack.calls('chat.postEphemeral').length;
  await harness.send(functionUrlEvent(slashCommandBody(`check ${instanceId}`, responseUrl, { user_id: OPERATOR }), { contentType: FORM }));
  // Answered at once; the plan card follows from the remediation job (in process here).
  const card = (await until(() => harness.slack.calls('chat.postEphemeral')[before], `the check card of ${instanceId}`)).body as { blocks?: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> } | undefined;
  const planId = card?.blocks?.flatMap((block) => block.elements ?? []).find((element) => element.action_id === REMEDIATION_IDS.confirm)?.value;
  if (!planId) throw new Error(`no plan card for ${instanceId}: ${JSON.stringify(card)}`);
  return planId;
}

const actionValue = fc.oneof(
  fc.constantFrom('shim-version-mismatch', 'config-v3-migration', TAGGED_INSTANCE, 'p-doesnotexist', '', ' ', 'i-0123456789abcdef0'),
  anyHostileText.map((text) => text.slice(0, 2000)),
  hostileFragment,
);
const ts = fc.oneof(fc.constant(undefined), fc.constantFrom('1700000000.000100', 'not-a-ts', '<!here>'), wrongType);

describe('interactivity with bad input', () => {
  test('hostile clicks on every registered action never run a command or echo a mention', async () => {
    const actions = badInputCase('input-actions-every-action-id');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ACTION_IDS),
        fc.oneof(actionValue, fc.constant('REAL_PLAN')),
        fc.constantFrom(OPERATOR, STRANGER),
        fc.boolean(),
        fc.record(
          {
            channel: fc.oneof(fc.constantFrom('C0CHANNEL1', 'D0DIRECT01'), hostileFragment, wrongType),
            threadTs: ts,
            user: wrongType,
            container: wrongType,
            responseUrl: fc.oneof(fc.constantFrom(undefined, '', 'not a url', 'javascript:alert(1)', '//hooks.slack.com/x'), wrongType),
          },
          { requiredKeys: [] },
        ),
        async (actionId, rawValue, user, ephemeral, damage) => {
          // Prepare
          harness.reset();
          const planId = rawValue === 'REAL_PLAN' ? await planCheck(freshInstance()) : undefined;
          harness.slack.reset();
          const payload: Record<string, unknown> = {
            ...blockActionPayload({ action_id: actionId, value: planId ?? rawValue }, { responseUrl: harness.slack.responseUrl(), ephemeral }),
            user: { id: user, username: 'someone', team_id: TEST_TEAM_ID },
          };
          if ('channel' in damage) payload.channel = typeof damage.channel === 'string' ? { id: damage.channel } : damage.channel;
          if ('threadTs' in damage) payload.container = { ...(payload.container as object), thread_ts: damage.threadTs, message_ts: damage.threadTs };
          if ('user' in damage) payload.user = damage.user;
          if ('container' in damage) payload.container = damage.container;
          if ('responseUrl' in damage) payload.response_url = damage.responseUrl;

          // Act
          // A claimed Confirm is sent by the remediation worker (in process here) after the answer; `send` waits
          // for it, so what it sends is counted in this run and not in the next.
          const response = await harness.send(functionUrlEvent(interactiveBody(payload), { contentType: FORM }));

          // Assess
          expect([200, 400]).toContain(response.statusCode);
          expect(harness.unhandled).toEqual([]);
          expect(harness.crashes()).toEqual([]);
          expect(harness.echoedMentions()).toEqual([]);
          // No click restarts anything: a restart needs a check's evidence first (a Restart button only starts that
          // read-only check). Only the operator's Confirm of their own, real plan sends its check, and only once.
          const confirmedByOwner = actionId === REMEDIATION_IDS.confirm && planId !== undefined && user === OPERATOR && !('user' in damage);
          expect(harness.ssm.sent().filter((sent) => sent.DocumentName !== 'ShimFix-CheckContainerRuntime')).toEqual([]);
          if (actionId !== REMEDIATION_IDS.restartFromCheck) expect(harness.ssm.sent().length).toBeLessThanOrEqual(confirmedByOwner ? 1 : 0);
        },
      ),
      { numRuns: actions.count },
    );
  });

  test('hostile check-modal submissions get a field error or a plan, never a 5xx or an echo', async () => {
    const modal = badInputCase('input-view-submission-check-modal');
    const metadata = fc.oneof(
      fc.constantFrom('', '{}', '{', 'null', '[]', '"x"', '{"channelId":"C0CHANNEL1"}', '{"channelId":"C0CHANNEL1","threadTs":"1700000000.000100"}'),
      fc.record({ channelId: fc.oneof(hostileFragment, wrongType), threadTs: fc.oneof(hostileFragment, wrongType) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
      anyHostileText,
    );
    const state = fc.oneof(
      fc.tuple(fc.oneof(fc.constantFrom(TAGGED_INSTANCE, 'tag:team=payments', 'i-123', ''), anyHostileText, wrongType)).map(([value]) => ({
        values: { [REMEDIATION_IDS.checkModalBlock]: { [REMEDIATION_IDS.checkModalInput]: { type: 'plain_text_input', value } } },
      })),
      fc.constantFrom(undefined, null, {}, { values: null }, { values: { [REMEDIATION_IDS.checkModalBlock]: null } }, { values: [] }),
      wrongType,
    );
    await fc.assert(
      fc.asyncProperty(metadata, state, fc.constantFrom(OPERATOR, STRANGER), fc.option(wrongType, { nil: undefined }), async (privateMetadata, viewState, user, responseUrls) => {
        // Prepare
        harness.reset();
        const payload = {
          type: 'view_submission',
          team: { id: TEST_TEAM_ID, domain: 'test' },
          user: { id: user, username: 'someone', team_id: TEST_TEAM_ID },
          api_app_id: 'A0TEST001',
          token: 'legacy-verification-token',
          trigger_id: '1234.5678.abcdef',
          view: {
            id: 'V0TEST001',
            type: 'modal',
            callback_id: REMEDIATION_IDS.checkModal,
            private_metadata: privateMetadata,
            ...(viewState === undefined ? {} : { state: viewState }),
            hash: '1700000000.abcdef',
          },
          response_urls: responseUrls ?? [],
        };

        // Act
        const response = await harness.send(functionUrlEvent(interactiveBody(payload), { contentType: FORM }));

        // Assess
        expect([200, 400]).toContain(response.statusCode);
        expect(harness.unhandled).toEqual([]);
        expect(harness.crashes()).toEqual([]);
        expect(harness.echoedMentions()).toEqual([]);
        // A valid target submitted by the operator starts its read-only check (one instance, or the fleet check of
        // the one instance tagged team=payments); nothing else reaches SSM, and nothing restarts.
        const sent = harness.ssm.sent();
        expect(sent.filter((command) => command.DocumentName !== 'ShimFix-CheckContainerRuntime')).toEqual([]);
        expect(sent.length).toBeLessThanOrEqual(user === OPERATOR ? 1 : 0);
        if (sent.length > 0) expect(sent[0]?.InstanceIds).toEqual([TAGGED_INSTANCE]);
        // A plan card or refusal goes to the submitter only: ephemeral in the channel, or their DM.
        for (const call of harness.slack.calls('chat.postMessage')) expect(call.body.channel).toBe(user);
        for (const call of harness.slack.calls('chat.postEphemeral')) expect(call.body.user).toBe(user);
      }),
      { numRuns: modal.count },
    );
  });

  test('hostile message shortcuts are answered at most once and never echo a mention', async () => {
    const shortcut = badInputCase('input-message-shortcut');
    const messageText = fc.oneof({ arbitrary: anyHostileText, weight: 6 }, { arbitrary: oversizedText, weight: 1 }, { arbitrary: fc.constantFrom('', '   ', '\u0000'), weight: 1 });
    const damage = fc.dictionary(fc.constantFrom('message', 'channel', 'user', 'trigger_id', 'message_ts', 'callback_id', 'team', 'response_url'), wrongType, { maxKeys: 2 });
    await fc.assert(
      fc.asyncProperty(messageText, fc.option(fc.oneof(wrongType, ts), { nil: undefined }), damage, async (text, threadTs, overrides) => {
        // Prepare
        harness.reset();
        const base = messageShortcutPayload(text, harness.slack.responseUrl());
        const message = { ...(base.message as object), ...(threadTs === undefined ? {} : { thread_ts: threadTs }) };
        const payload = { ...base, message, ...overrides };

        // Act
        const response = await harness.send(functionUrlEvent(interactiveBody(payload), { contentType: FORM }));

        // Assess
        expect([200, 400]).toContain(response.statusCode);
        expect(harness.unhandled).toEqual([]);
        expect(harness.crashes()).toEqual([]);
        expect(harness.echoedMentions()).toEqual([]);
        expect(harness.slack.calls('chat.postMessage').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: shortcut.count },
    );
  });
});
