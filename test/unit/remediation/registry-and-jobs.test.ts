import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ScriptResult } from '../../../lambda/core/remediation/result-line';
import { createRemediationWorker } from '../../../lambda/handlers/remediation-worker';
import { ACTIONS, offeredActions } from '../../../lambda/remediation/actions';
import { containersAtRisk, evidenceOf } from '../../../lambda/remediation/evidence';
import { LambdaJobQueue, type RemediationJob } from '../../../lambda/remediation/jobs';
import { STALE_DAEMON_CHECK } from './fixtures';

const calm: ScriptResult = { ...STALE_DAEMON_CHECK, docker: { ...STALE_DAEMON_CHECK.docker, liveRestore: true } };
const job: RemediationJob = { kind: 'check-first', userId: 'U0PERSON01', channelId: 'C0CHANNEL1', targetText: 'i-0123456789abcdef0' };

describe('action registry', () => {
  it.each<[string, string[], ScriptResult]>([
    ['a stale daemon, no container at risk', ['restart'], calm],
    ['a stale daemon, Docker bound to containerd, live-restore off, containers running', ['restart-with-docker'], { ...calm, docker: { ...calm.docker, liveRestore: false, bindsToContainerd: true } }],
    ['a stale daemon whose dockerd was replaced, live-restore off', ['restart-with-docker'], { ...calm, docker: { ...calm.docker, liveRestore: false, binaryReplaced: true } }],
    ['a stale daemon, live-restore off but no container running', ['restart'], { ...calm, docker: { ...calm.docker, liveRestore: false, runningContainers: 0, bindsToContainerd: true } }],
    ['a healthy host', [], { ...calm, verdict: 'healthy' }],
    ['a downgrade', [], { ...calm, verdict: 'downgrade' }],
    ['managed by k3s', [], { ...calm, verdict: 'managed-elsewhere', containerd: { ...calm.containerd, manager: 'k3s', managerUnit: 'k3s.service' } }],
    ['a failed check', [], { ...calm, status: 'failed' }],
    ['a restart result (not a check)', [], { ...calm, action: 'restart', status: 'restarted' }],
  ])('%s offers %j', (_name, offered, result) => {
    // Act + Assess
    expect(offeredActions(result)).toEqual(offered);
  });

  it('sends AllowStoppingContainers=yes only from the explicit Docker choice, and the check sends no parameter', () => {
    // Assess
    expect(ACTIONS.check.parameters).toEqual({});
    expect(ACTIONS.restart.parameters).toEqual({ AllowStoppingContainers: ['no'] });
    expect(ACTIONS['restart-with-docker'].parameters).toEqual({ AllowStoppingContainers: ['yes'] });
    expect(ACTIONS.check.locks).toBe(false);
  });
});

describe('evidence', () => {
  it('says why a restart will not help, and which runbook applies', () => {
    // Act
    const evidence = evidenceOf({ ...calm, verdict: 'managed-elsewhere', containerd: { ...calm.containerd, manager: 'k3s', managerUnit: 'k3s.service' } });

    // Assess
    expect(evidence.restartHelps).toBe(false);
    expect(evidence.sentence).toBe('A restart will not help: containerd is run by k3s; restart k3s.service instead.');
    expect(evidence.runbook).toBe('stale-components-after-upgrade');
  });

  it('counts the containers a Docker restart would stop, and only when Docker must restart', () => {
    // Assess
    expect(containersAtRisk({ ...calm, docker: { ...calm.docker, liveRestore: false, requiresContainerd: true, runningContainers: 4 } })).toBe(4);
    expect(containersAtRisk({ ...calm, docker: { ...calm.docker, liveRestore: false } })).toBeUndefined();
  });

  it('keeps host-reported text on one short line', () => {
    // Act
    const evidence = evidenceOf({ ...calm, containerd: { ...calm.containerd, installedPath: `/usr/bin/containerd\n*Runs:* nothing${'x'.repeat(300)}` } });

    // Assess
    expect(evidence.facts[0]).not.toContain('\n');
    expect(evidence.facts[0]).not.toContain('*');
    expect((evidence.facts[0] ?? '').length).toBeLessThan(140);
  });
});

describe('LambdaJobQueue on the wire (real SDK against a loopback Lambda endpoint)', () => {
  it('hands the job over as an asynchronous invocation (InvocationType Event) with the job as its payload', async () => {
    // Prepare: Lambda answers an Event invocation with 202 and no body.
    const received: { path: string; invocationType: string; body: string }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', invocationType: String(request.headers['x-amz-invocation-type']), body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(202, { 'x-amzn-requestid': 'r' });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new LambdaClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const queue = new LambdaJobQueue('shim-fix-worker', (input) => client.send(new InvokeCommand(input)));

    // Act
    await queue.enqueue(job);
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));

    // Assess
    expect(received).toEqual([{ path: '/2015-03-31/functions/shim-fix-worker/invocations', invocationType: 'Event', body: JSON.stringify(job) }]);
  });

  it('refuses to hand over a job that does not match the schema', async () => {
    // Prepare
    const invoke = jest.fn(async () => ({ StatusCode: 202 }));

    // Act + Assess
    await expect(new LambdaJobQueue('w', invoke).enqueue({ ...job, userId: '<!channel>' })).rejects.toThrow();
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe('remediation worker', () => {
  it('ignores a payload that is not a job, without building anything', async () => {
    // Prepare
    const build = jest.fn(async () => {
      throw new Error('must not be built');
    });

    // Act + Assess
    await expect(createRemediationWorker(build)({ kind: 'restart-everything', targetText: 'tag:*' }, undefined)).resolves.toBeUndefined();
    expect(build).not.toHaveBeenCalled();
  });
});
