import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import type { SsmGateway } from '../../../lambda/aws/ssm-gateway';
import type { ManagedInstance } from '../../../lambda/core/remediation/types';
import { buildPlanCard } from '../../../lambda/slack/remediation/plan-card';
import { RemediationService } from '../../../lambda/remediation/remediation-service';
import { findEchoedMentions } from '../../bad-input/support/mentions';

/** Issue 9 point 6 (security review M3 and the fleet-tag hole): what a host reports, and what a fleet may be. */

const ID = 'i-0123456789abcdef0';
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function service(instance: Partial<ManagedInstance>, calls: string[] = []) {
  const ssm: SsmGateway = {
    describeInstance: async (instanceId) => {
      calls.push('describeInstance');
      return { instanceId, hasAllowTag: true, instance: { instanceId, pingStatus: 'Online', platformType: 'Linux', ...instance } };
    },
    describeFleet: async (tag) => {
      calls.push('describeFleet');
      return { tag, eligible: [{ instanceId: ID, pingStatus: 'Online', platformType: 'Linux' }], truncated: false };
    },
    documentVersion: async (name) => ({ name, version: '3' }),
    sendCommand: async () => {
      throw new Error('not in this test');
    },
    getCommandInvocation: async () => {
      throw new Error('not in this test');
    },
    listCommandInvocations: async () => [],
  };
  return new RemediationService({
    operators: ['U1'],
    allowTag: { key: 'shim-fix', value: 'enabled' },
    restartDocument: 'ShimFix-RestartContainerRuntime',
    checkDocument: 'ShimFix-CheckContainerRuntime',
    ssm,
    store: new InMemoryRemediationStore(),
    logger: silent,
  });
}

describe('host-reported fields on the plan card', () => {
  it('a hostile ComputerName, PlatformName and PlatformVersion stay one short inert line', async () => {
    // Prepare: the security review's O4 payload.
    const remediation = service({
      computerName: 'ip-10-0-1-5*\n*Runs:* read-only check, *nothing is restarted* <https://evil.example/sso|(details)> <!channel> <@U0EVIL0001>',
      platformName: 'Ubuntu\u202e\n`x`',
      platformVersion: '24.04 '.repeat(40),
    });

    // Act
    const outcome = await remediation.plan({ userId: 'U1', channelId: 'C1', action: 'restart', targetText: ID });
    if (outcome.kind !== 'plan') throw new Error(outcome.message);
    const card = buildPlanCard(outcome.plan, outcome.summary);
    const where = card.blocks?.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : [])).join('\n') ?? '';

    // Assess
    const whereLine = where.split('\n').find((line) => line.startsWith('*Where:*')) ?? '';
    expect(where.split('\n').filter((line) => line.startsWith('*Runs:*'))).toEqual([expect.stringContaining('ShimFix-RestartContainerRuntime')]);
    expect(whereLine).not.toMatch(/<https?:|<!channel>|<@U0EVIL/);
    expect(whereLine).not.toContain('\u202e');
    expect(whereLine.length).toBeLessThan(260);
    expect(findEchoedMentions(card, [])).toEqual([]);
    expect(card.blocks?.[0]).toMatchObject({ text: { verbatim: true } });
  });
});

describe('fleet tag on the allow-tag key', () => {
  it.each(['tag:shim-fix=other', 'tag:shim-fix=enabled', 'tag:SHIM-FIX=x'])('%s is refused before SSM is asked', async (targetText) => {
    // Prepare
    const calls: string[] = [];

    // Act
    const outcome = await service({}, calls).plan({ userId: 'U1', channelId: 'C1', action: 'restart', targetText });

    // Assess
    expect(outcome).toMatchObject({ kind: 'refused', message: expect.stringContaining('allow tag that enrols hosts') });
    expect(calls).toEqual([]);
  });

  it('another tag still plans a fleet', async () => {
    // Act
    const outcome = await service({}).plan({ userId: 'U1', channelId: 'C1', action: 'restart', targetText: 'tag:team=payments' });

    // Assess
    expect(outcome.kind).toBe('plan');
  });
});
