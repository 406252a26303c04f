import fc from 'fast-check';
import { VERDICTS, type ScriptResult } from '../../../../lambda/core/remediation/result-line';
import { containersAtRisk } from '../../../../lambda/remediation/evidence';
import { categorise, countCategories, groupByVerdict } from '../../../../lambda/remediation/fleet/categorise';
import { FLEET_CATEGORIES } from '../../../../lambda/remediation/fleet/types';
import { RESTARTED, STALE_DAEMON_CHECK } from '../fixtures';

const ID = 'i-0123456789abcdef0';
/** A stale daemon whose Docker keeps its containers (live-restore on). */
const STALE_SAFE: ScriptResult = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } };
/** A stale daemon where docker.service is bound to containerd and live-restore is off: a restart stops 7 containers. */
const STALE_BOUND: ScriptResult = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, bindsToContainerd: true, runningContainers: 7 } };

const arbitraryResult: fc.Arbitrary<ScriptResult> = fc.record({
  verdict: fc.constantFrom(...VERDICTS),
  status: fc.constantFrom('checked' as const, 'failed' as const),
  action: fc.constantFrom('check' as const, 'restart' as const),
  liveRestore: fc.option(fc.boolean(), { nil: null }),
  bound: fc.option(fc.boolean(), { nil: null }),
  replaced: fc.option(fc.boolean(), { nil: null }),
  running: fc.option(fc.nat(50), { nil: null }),
  active: fc.boolean(),
}).map(({ verdict, status, action, liveRestore, bound, replaced, running, active }) => ({
  ...STALE_DAEMON_CHECK,
  verdict,
  status,
  action,
  docker: { ...STALE_DAEMON_CHECK.docker, active, liveRestore, bindsToContainerd: bound, binaryReplaced: replaced, runningContainers: running },
}));

describe('categorise (one check answer → its fleet category)', () => {
  it('a stale daemon whose restart touches no container: restart-fixes', () => {
    // Act
    const finding = categorise({ instanceId: ID, status: 'Success', result: STALE_SAFE });
    // Assess
    expect(finding).toMatchObject({ instanceId: ID, category: 'restart-fixes', verdict: 'stale-daemon', runbookId: 'shim-version-mismatch' });
  });

  it('a stale daemon whose Docker restart stops containers: counted with those containers', () => {
    expect(categorise({ instanceId: ID, status: 'Success', result: STALE_BOUND })).toMatchObject({ category: 'docker-stops-containers', runningContainers: 7 });
  });

  it.each([
    ['healthy', 'healthy'],
    ['managed-elsewhere', 'managed-elsewhere'],
    ['downgrade', 'restart-will-not-help'],
    ['shim-newer-than-daemon', 'restart-will-not-help'],
    ['config-rejected', 'restart-will-not-help'],
    ['unsafe-kill-mode', 'restart-will-not-help'],
  ] as const)('verdict %s → %s', (verdict, category) => {
    expect(categorise({ instanceId: ID, status: 'Success', result: { ...STALE_SAFE, verdict } }).category).toBe(category);
  });

  it('no usable measurement is unreachable, never a restart: SSM failure, no result line, a restart line, a failed check', () => {
    // Prepare
    const answers = [
      { instanceId: ID, status: 'TimedOut', result: STALE_SAFE },
      { instanceId: ID, status: 'Success' },
      { instanceId: ID, status: 'Success', result: RESTARTED },
      { instanceId: ID, status: 'Success', result: { ...STALE_SAFE, status: 'failed' as const, message: 'ctr hung' } },
    ];
    // Act
    const findings = answers.map(categorise);
    // Assess
    expect(findings.map((finding) => [finding.category, finding.verdict])).toEqual(Array(4).fill(['unreachable', 'no-result']));
    expect(findings[0]?.detail).toContain('TimedOut');
  });

  it('property: only a successful stale-daemon check is ever selected for a restart, and Docker hosts exactly when containers are at risk', () => {
    fc.assert(
      fc.property(arbitraryResult, fc.constantFrom('Success', 'Failed', 'TimedOut'), (result, status) => {
        const finding = categorise({ instanceId: ID, status, result });
        const measuredStale = status === 'Success' && result.action === 'check' && result.status === 'checked' && result.verdict === 'stale-daemon';
        const selected = finding.category === 'restart-fixes' || finding.category === 'docker-stops-containers';
        expect(selected).toBe(measuredStale);
        if (measuredStale) expect(finding.category === 'docker-stops-containers').toBe(containersAtRisk(result) !== undefined);
        expect(FLEET_CATEGORIES).toContain(finding.category);
      }),
    );
  });
});

describe('countCategories and groupByVerdict', () => {
  it('property: counts cover every category and sum to the number of findings', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbitraryResult, fc.constantFrom('Success', 'Failed'))), (answers) => {
        const findings = answers.map(([result, status], index) => categorise({ instanceId: `i-${index.toString(16).padStart(17, '0')}`, status, result }));
        const counts = countCategories(findings);
        expect(Object.keys(counts).sort()).toEqual([...FLEET_CATEGORIES].sort());
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(findings.length);
      }),
    );
  });

  it('groups the hosts a restart will not help by verdict, largest first, with the runbook', () => {
    // Prepare
    const findings = [
      categorise({ instanceId: 'i-00000000000000001', status: 'Success', result: { ...STALE_SAFE, verdict: 'downgrade' } }),
      categorise({ instanceId: 'i-00000000000000002', status: 'Success', result: { ...STALE_SAFE, verdict: 'config-rejected' } }),
      categorise({ instanceId: 'i-00000000000000003', status: 'Success', result: { ...STALE_SAFE, verdict: 'config-rejected' } }),
      categorise({ instanceId: 'i-00000000000000004', status: 'Success', result: STALE_SAFE }),
    ];
    // Act
    const groups = groupByVerdict(findings);
    // Assess
    expect(groups).toEqual([
      { verdict: 'config-rejected', runbookId: 'config-v3-migration', instanceIds: ['i-00000000000000002', 'i-00000000000000003'] },
      { verdict: 'downgrade', runbookId: 'containerd-unsupported-upgrade-path', instanceIds: ['i-00000000000000001'] },
    ]);
  });
});
