import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import type { RemediationStore } from '../../../lambda/aws/remediation-store-types';
import type { SsmGateway } from '../../../lambda/aws/ssm-gateway';
import { RemediationStoreError } from '../../../lambda/core/remediation/errors';
import { SlackRemediationCommands } from '../../../lambda/slack/remediation/remediation-commands';
import { RemediationService } from '../../../lambda/remediation/remediation-service';
import { CHECK_FIRST_COPY } from '../../../lambda/slack/remediation/check-first-job';
import { runRemediationJob } from '../../../lambda/slack/remediation/confirm-job';
import { InProcessJobQueue } from '../../../lambda/remediation/jobs';
import { reliabilityCase } from '../../reliability/catalogue';

const ID = 'i-0123456789abcdef0';
const OPERATOR = 'U111';
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The in-memory store behind a switch: while `down`, every call fails as a DynamoDB outage does. */
function switchableStore(): { store: RemediationStore; setDown: (down: boolean) => void } {
  const inner = new InMemoryRemediationStore();
  let down = false;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (down) return Promise.reject(new RemediationStoreError('a write to the remediation table failed', { cause: new Error('connect ECONNREFUSED') }));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as RemediationStore;
  return { store, setDown: (value) => (down = value) };
}

function setUp() {
  const { store, setDown } = switchableStore();
  const sendCommand = jest.fn(async () => ({ commandId: '11111111-2222-3333-4444-555555555555' }));
  const ssm: SsmGateway = {
    describeInstance: async (instanceId) => ({ instanceId, hasAllowTag: true, instance: { instanceId, pingStatus: 'Online', platformType: 'Linux' } }),
    describeFleet: async () => ({ tag: { key: 'team', value: 'a' }, eligible: [], truncated: false }),
    documentVersion: async (name) => ({ name, version: '3' }),
    sendCommand,
    getCommandInvocation: async () => {
      throw new Error('unused');
    },
    listCommandInvocations: async () => [],
  };
  const service = new RemediationService({ operators: [OPERATOR], allowTag: { key: 'shim-fix', value: 'enabled' }, restartDocument: 'ShimFix-RestartContainerRuntime', checkDocument: 'ShimFix-CheckContainerRuntime', ssm, store, logger: silent });
  const posted: unknown[] = [];
  const queue = new InProcessJobQueue((job, chat) => runRemediationJob(job, chat, { service, store, logger: silent }), (error) => {
    throw error;
  });
  const commands = new SlackRemediationCommands(service, store, silent, queue);
  const actions = new Map<string, (args: unknown) => Promise<void>>();
  commands.register({ action: (id: string, handler: (args: unknown) => Promise<void>) => actions.set(id, handler), view: () => undefined } as unknown as App);
  const client = {
    chat: {
      postMessage: async () => ({ ok: true, channel: 'C1', ts: '1.1' }),
      postEphemeral: async (message: unknown) => void posted.push(message),
      update: async () => ({ ok: true }),
      getPermalink: async () => ({ ok: true }),
    },
  } as unknown as WebClient;
  return { setDown, sendCommand, commands, actions, client, queue, posted };
}

/** The Confirm button's value on a plan card. */
function confirmValue(message: unknown): string {
  if (Array.isArray(message)) return message.map(confirmValue).find(Boolean) ?? '';
  if (message === null || typeof message !== 'object') return '';
  const record = message as Record<string, unknown>;
  if (record.action_id === 'remediation_confirm' && typeof record.value === 'string') return record.value;
  return Object.values(record).map(confirmValue).find(Boolean) ?? '';
}

describe('remediation when its DynamoDB table is unavailable', () => {
  test('a restart request is refused with the reason before any plan exists', async () => {
    // Prepare
    const h = setUp();
    h.setDown(true);
    const respond = jest.fn(async (_message: unknown) => undefined);

    // Act
    await h.commands.handleCommand({ userId: OPERATOR, channelId: 'C1', teamId: 'T1', triggerId: 't', text: `restart ${ID}`, respond: respond as never, client: h.client });
    await h.queue.idle();

    // Assess: answered at once (the check comes first), then told by the job, ephemerally.
    expect(JSON.stringify(respond.mock.calls[0]?.[0])).toContain('first (read-only');
    expect(JSON.stringify(h.posted)).toContain(CHECK_FIRST_COPY.storeUnavailable);
    expect(h.sendCommand).not.toHaveBeenCalled();
  });

  test('a Confirm while the table is down sends nothing, and says why, on the card itself', async () => {
    // Prepare: the card was shown while the table worked; the owner clicks Confirm `count` times during the outage.
    const { count } = reliabilityCase('dynamodb-unavailable-at-confirm');
    const h = setUp();
    const respond = jest.fn(async (_message: unknown) => undefined);
    // A check's card (a restart's card comes only after its check): the Confirm path is the same.
    await h.commands.handleCommand({ userId: OPERATOR, channelId: 'C1', teamId: 'T1', triggerId: 't', text: `check ${ID}`, respond: respond as never, client: h.client });
    await h.queue.idle();
    // Answered at once; the card comes from the plan-check job, ephemerally.
    const planId = confirmValue(h.posted.at(-1));
    h.setDown(true);
    const confirmRespond = jest.fn(async (_message: unknown) => undefined);

    // Act
    for (let click = 0; click < count; click++) {
      await h.actions.get('remediation_confirm')?.({ ack: async () => undefined, body: { user: { id: OPERATOR } }, action: { value: planId }, respond: confirmRespond, client: h.client });
    }

    // Assess
    expect(planId).not.toBe('');
    expect(h.sendCommand).not.toHaveBeenCalled();
    expect(confirmRespond).toHaveBeenCalledTimes(count);
    for (const [message] of confirmRespond.mock.calls) expect(JSON.stringify(message)).toContain('refuses rather than risk restarting a runtime twice. Nothing ran.');
  });
});
