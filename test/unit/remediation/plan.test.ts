import { authorise, authoriseConfirm } from '../../../lambda/core/remediation/authorisation';
import { buildComment, COMMENT_MAX } from '../../../lambda/core/remediation/comment';
import { buildPlan, deliveryTimeoutSeconds, describeDrift, LIVE_RESTORE_WARNING, PLAN_TTL_SECONDS, retryCommand } from '../../../lambda/core/remediation/plan';
import fc from 'fast-check';

const now = new Date('2026-01-02T03:04:05.000Z');
const base = {
  planId: 'p-1',
  requestId: 'r-1',
  requestedBy: 'U111',
  channelId: 'C1',
  document: { name: 'ShimFix-RestartContainerRuntime', version: '3' },
  now,
};

describe('buildPlan', () => {
  it('plans a restart of one instance with the live-restore warning, the restart steps and a ten-minute expiry', () => {
    // Act
    const plan = buildPlan({ ...base, action: 'restart', target: { kind: 'instance', instanceId: 'i-0123456789abcdef0' }, instanceIds: ['i-0123456789abcdef0'] });

    // Assess
    expect(plan.warnings).toContain(LIVE_RESTORE_WARNING);
    expect(plan.restarts.join(' ')).toMatch(/containerd.*Docker/);
    expect(plan.rollout).toEqual({ maxConcurrency: '1', maxErrors: '0', timeoutSeconds: 600 });
    expect(plan.expiresAt).toBe(now.getTime() / 1000 + PLAN_TTL_SECONDS);
    expect(plan.createdAt).toBe('2026-01-02T03:04:05.000Z');
  });

  it('plans a check without restarts or the Docker warning', () => {
    // Act
    const plan = buildPlan({ ...base, action: 'check', target: { kind: 'instance', instanceId: 'i-0123456789abcdef0' }, instanceIds: ['i-0123456789abcdef0'] });

    // Assess
    expect(plan.restarts).toEqual([]);
    expect(plan.warnings).toEqual([]);
  });

  it('keeps rollout overrides for fleets and says how many instances it counted', () => {
    // Act
    const plan = buildPlan({ ...base, action: 'restart', target: { kind: 'fleet', tag: { key: 'team', value: 'a' } }, instanceIds: ['i-bbbbbbbb', 'i-aaaaaaaa'], rollout: { maxConcurrency: '2' } });

    // Assess
    expect(plan.rollout.maxConcurrency).toBe('2');
    expect(plan.rollout.maxErrors).toBe('0');
    expect(plan.warnings.join(' ')).toContain('counted 2');
    expect(retryCommand(plan)).toBe('/shim-fix restart tag:team=a');
  });
});

describe('describeDrift', () => {
  const plan = buildPlan({ ...base, action: 'restart', target: { kind: 'fleet', tag: { key: 'team', value: 'a' } }, instanceIds: ['i-aaaaaaaa', 'i-bbbbbbbb'] });

  it('finds no drift when the facts are the same in another order', () => {
    // Act + Assess
    expect(describeDrift(plan, { document: plan.document, instanceIds: ['i-bbbbbbbb', 'i-aaaaaaaa'] })).toBeUndefined();
  });

  it('names a new document version and instances that joined or left', () => {
    // Act
    const drift = describeDrift(plan, { document: { ...plan.document, version: '4' }, instanceIds: ['i-aaaaaaaa', 'i-cccccccc'] });

    // Assess
    expect(drift).toContain('version 4 (the card showed version 3)');
    expect(drift).toContain('1 instance(s) joined: i-cccccccc');
    expect(drift).toContain('1 instance(s) left: i-bbbbbbbb');
  });
});

describe('fleet delivery timeout', () => {
  it('reaches the last instance of a one-at-a-time rollout: the delivery window plus one execution per earlier instance', () => {
    // Act
    const ids = ['i-aaaaaaaa', 'i-bbbbbbbb', 'i-cccccccc'];
    const fleet = (action: 'check' | 'restart') =>
      buildPlan({ planId: 'p', requestId: 'r', action, target: { kind: 'fleet', tag: { key: 'team', value: 'a' } }, requestedBy: 'U1', channelId: 'C1', document: { name: 'D', version: '1' }, instanceIds: ids, now: new Date(0) });

    // Assess
    expect(fleet('restart').rollout.timeoutSeconds).toBe(600 + 2 * 600);
    expect(fleet('check').rollout.timeoutSeconds).toBe(600 + 2 * 120);
    expect(deliveryTimeoutSeconds('restart', 1)).toBe(600);
  });
});

describe('authorise', () => {
  it('denies everybody when no operator is configured', () => {
    // Act
    const verdict = authorise('U111', [], 'check');

    // Assess
    expect(verdict).toMatchObject({ allowed: false, reason: 'no-operators' });
    expect(verdict.allowed ? '' : verdict.message).toContain('SHIM_FIX_OPERATORS');
  });

  it('names who can act when the user is not an operator', () => {
    // Act
    const verdict = authorise('U999', ['U111', 'U222'], 'restart');

    // Assess
    expect(verdict).toMatchObject({ allowed: false, reason: 'not-operator' });
    expect(verdict.allowed ? '' : verdict.message).toContain('Only <@U111> or <@U222> can restart');
  });

  it('allows an operator', () => {
    // Act + Assess
    expect(authorise('U222', ['U111', 'U222'], 'restart')).toEqual({ allowed: true });
  });

  it('refuses a Confirm click by anyone but the requester, even an operator', () => {
    // Act
    const verdict = authoriseConfirm('U222', { requestedBy: 'U111', action: 'restart', target: { kind: 'instance', instanceId: 'i-aaaaaaaa' } }, ['U111', 'U222']);

    // Assess
    expect(verdict).toMatchObject({ allowed: false, reason: 'not-requester' });
    expect(verdict.allowed ? '' : verdict.message).toContain('<@U111>');
  });

  it('refuses a Confirm click by a requester who is no longer an operator', () => {
    // Act + Assess
    expect(authoriseConfirm('U111', { requestedBy: 'U111', action: 'restart', target: { kind: 'instance', instanceId: 'i-aaaaaaaa' } }, ['U222'])).toMatchObject({ allowed: false, reason: 'not-operator' });
  });
});

describe('buildComment', () => {
  it('names the user and the request', () => {
    // Act + Assess
    expect(buildComment('U012ABCDEF', 'r-7k2m9q4x1z')).toBe('shim-fix U012ABCDEF r-7k2m9q4x1z');
  });

  it('is never longer than SSM allows', () => {
    // Act + Assess
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (user, request) => {
      const comment = buildComment(user, request);
      expect([...comment].length).toBeLessThanOrEqual(COMMENT_MAX);
      expect(comment.startsWith('shim-fix ')).toBe(true);
    }));
  });
});
