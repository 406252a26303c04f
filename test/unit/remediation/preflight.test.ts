import { MAX_FLEET_INSTANCES, preflightFleet, preflightInstance } from '../../../lambda/core/remediation/preflight';
import type { ManagedInstance } from '../../../lambda/core/remediation/types';

const allowTag = { key: 'shim-fix', value: 'enabled' };
const ID = 'i-0123456789abcdef0';
const online = (instanceId = ID, extra: Partial<ManagedInstance> = {}): ManagedInstance => ({
  instanceId,
  pingStatus: 'Online',
  platformType: 'Linux',
  platformName: 'Ubuntu',
  platformVersion: '24.04',
  ...extra,
});
const fleetIds = (n: number) => Array.from({ length: n }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);

describe('preflightInstance', () => {
  it('passes a managed, online, Linux instance with the allow tag', () => {
    // Act
    const verdict = preflightInstance({ instanceId: ID, instance: online(), hasAllowTag: true }, allowTag);

    // Assess
    expect(verdict).toEqual({ ok: true, instanceIds: [ID], summary: expect.stringContaining('Ubuntu 24.04') });
  });

  it.each([
    ['unknown-instance', { instanceId: ID, hasAllowTag: true }, 'SSM does not manage'],
    ['offline', { instanceId: ID, instance: online(ID, { pingStatus: 'ConnectionLost' }), hasAllowTag: true }, 'ConnectionLost'],
    ['not-linux', { instanceId: ID, instance: online(ID, { platformType: 'Windows' }), hasAllowTag: true }, 'runs Windows'],
    ['not-tagged', { instanceId: ID, instance: online(), hasAllowTag: false }, '`shim-fix=enabled`'],
  ])('refuses with its own message: %s', (problem, facts, text) => {
    // Act
    const verdict = preflightInstance(facts, allowTag);

    // Assess
    expect(verdict).toMatchObject({ ok: false, problem });
    expect(verdict.ok ? '' : verdict.message).toContain(text);
  });

  it('checks reachability before the tag, so an offline untagged host is reported as offline', () => {
    // Act
    const verdict = preflightInstance({ instanceId: ID, instance: online(ID, { pingStatus: 'Inactive' }), hasAllowTag: false }, allowTag);

    // Assess
    expect(verdict).toMatchObject({ ok: false, problem: 'offline' });
  });
});

describe('preflightFleet', () => {
  const tag = { key: 'team', value: 'payments' };

  it('counts the instances carrying both tags and mentions the ones left alone', () => {
    // Act
    const verdict = preflightFleet({ tag, eligible: fleetIds(3).map((id) => online(id)), withRequestedTag: 5, truncated: false }, allowTag);

    // Assess
    expect(verdict).toMatchObject({ ok: true, instanceIds: fleetIds(3) });
    expect(verdict.ok && verdict.summary).toContain('3 online Linux instance(s)');
    expect(verdict.ok && verdict.summary).toContain('2 more carry');
  });

  it('refuses an empty fleet and says how many carry only the requested tag', () => {
    // Act
    const verdict = preflightFleet({ tag, eligible: [], withRequestedTag: 4, truncated: false }, allowTag);

    // Assess
    expect(verdict).toMatchObject({ ok: false, problem: 'empty-fleet' });
    expect(verdict.ok ? '' : verdict.message).toContain('4 managed instance(s) carry `tag:team=payments`');
  });

  it('refuses a fleet with an offline member and names it', () => {
    // Prepare
    const [first, second] = fleetIds(2) as [string, string];

    // Act
    const verdict = preflightFleet({ tag, eligible: [online(first), online(second, { pingStatus: 'ConnectionLost' })], truncated: false }, allowTag);

    // Assess
    expect(verdict).toMatchObject({ ok: false, problem: 'fleet-not-ready' });
    expect(verdict.ok ? '' : verdict.message).toContain(`\`${second}\` (ConnectionLost)`);
  });

  it.each([
    ['more than the cap', { eligible: fleetIds(MAX_FLEET_INSTANCES + 1).map((id) => online(id)), truncated: false }],
    ['a truncated listing', { eligible: fleetIds(2).map((id) => online(id)), truncated: true }],
  ])('refuses %s as too large', (_name, facts) => {
    // Act
    const verdict = preflightFleet({ tag, ...facts }, allowTag);

    // Assess
    expect(verdict).toMatchObject({ ok: false, problem: 'fleet-too-large' });
  });
});
