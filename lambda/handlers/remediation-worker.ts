import { WebClient } from '@slack/web-api';
import { SSMClient } from '@aws-sdk/client-ssm';
import { readBotToken } from '../aws/bot-token';
import { SSM_CLIENT_OPTIONS } from '../aws/ssm-client-options';
import { loadConfig } from '../config';
import { ConfigurationError } from '../core/errors';
import { logger } from '../logger';
import { oncePerInstance } from '../once-per-instance';
import { remediationJobSchema } from '../remediation/jobs';
import { runRemediationJob, type JobDeps } from '../slack/remediation/confirm-job';
import { slackWebClientOptions } from '../slack/post-outcome';
import { createRemediationService } from '../slack/remediation/create-remediation';

/**
 * Third Lambda entry: the remediation worker. The Slack handler invokes it asynchronously (InvocationType `Event`)
 * with one job (lambda/remediation/jobs.ts), validated here with zod: a check-first restart is planned and its
 * read-only check sent, or a Confirm claimed in Slack's request is re-checked and sent once, as long as SSM takes,
 * while Slack already has its answer. Not reachable from the Function URL.
 * A job that fails is not thrown back to Lambda's retries: it has told the requester, and a retry could send the check
 * twice.
 */
interface WorkerDeps extends JobDeps {
  web: WebClient;
}

async function buildWorkerDeps(env: Record<string, string | undefined> = process.env): Promise<WorkerDeps> {
  const config = loadConfig(env);
  if (!config.table) throw new ConfigurationError('SHIM_FIX_TABLE is not set: the worker writes the plans and audit records the Slack handler reads');
  const token = await readBotToken(config, new SSMClient({ ...SSM_CLIENT_OPTIONS }));
  const web = new WebClient(token, slackWebClientOptions(config.slackApiUrl));
  return { ...createRemediationService({ config, logger }), logger, web };
}

export function createRemediationWorker(buildDeps: () => Promise<WorkerDeps>) {
  const deps = oncePerInstance(buildDeps);
  return async (event: unknown, context: { awsRequestId?: string } | undefined): Promise<void> => {
    if (context?.awsRequestId) logger.appendKeys({ awsRequestId: context.awsRequestId });
    const job = remediationJobSchema.safeParse(event);
    if (!job.success) {
      logger.error('ignoring a remediation job that does not match the expected shape', { problem: job.error.message.slice(0, 500) });
      return;
    }
    const { web, ...jobDeps } = await deps();
    await runRemediationJob(job.data, web.chat, jobDeps);
  };
}

export const handler = createRemediationWorker(() => buildWorkerDeps());
