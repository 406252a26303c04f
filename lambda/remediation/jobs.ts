import * as z from 'zod';
import { ACTION_IDS } from './actions';
import { fleetWaveJobSchema } from './fleet/fleet-jobs';

/**
 * Work the Slack handler must not do inside Slack's request: planning a restart and sending the read-only check
 * first means SSM calls (preflight, DescribeDocument, SendCommand) whose time SSM decides. The handler answers Slack at
 * once and hands the job over; the job posts what it finds to the requester (ephemeral), and the check's result comes
 * back through the status path as the plan card.
 *
 * In Lambda the hand-over is an asynchronous invocation (InvocationType `Event`) of the remediation worker function:
 * Lambda queues it durably and retries it twice, the caller waits only for the 202 (tens of milliseconds), and the
 * worker is a separate function, so the internet-facing Slack handler has no entry point that accepts an unsigned
 * payload. Locally (`npm run serve`, tests) an in-process queue runs the job after the answer is sent.
 */
const userId = z.string().regex(/^[UW][A-Z0-9]{1,20}$/);
const channelId = z.string().regex(/^[CDGU][A-Z0-9]{1,20}$/);
const targetText = z.string().min(1).max(300);
export const checkFirstJobSchema = z.object({ kind: z.literal('check-first'), userId, channelId, targetText });
/**
 * `/shim-fix check <target>` and the "Check an instance…" modal: its plan (preflight, document version) is asked of SSM
 * outside Slack's request too. The modal's thread travels along so the card lands under the diagnosis it came from.
 */
export const planCheckJobSchema = z.object({ kind: z.literal('plan-check'), userId, channelId, targetText, threadTs: z.string().regex(/^\d{1,12}\.\d{1,8}$/).optional() });
/**
 * A Confirm already claimed inside Slack's request (plan consumed, instances locked, audit trail written): the worker
 * re-checks and sends once. The request id makes it idempotent (RemediationService.sendConfirmed).
 */
export const confirmJobSchema = z.object({
  kind: z.literal('confirm'),
  userId,
  channelId,
  requestId: z.string().regex(/^r-[A-Za-z0-9_-]{1,40}$/),
  planId: z.string().regex(/^p-[A-Za-z0-9_-]{1,40}$/),
  actionId: z.enum(ACTION_IDS),
});
/** A tag the scan is limited to (`/shim-fix scan tag:K=V`); the allow tag is still required of every instance. */
const scanTag = z.object({ key: z.string().min(1).max(128), value: z.string().max(256) });
/**
 * The proactive scan (lambda/remediation/scan/): a read-only fleet check whose report goes to `channelId` only when
 * hosts will fail new containers. From the schedule (no `requestedBy`: no person asked) or `/shim-fix scan` (an operator).
 */
export const scanJobSchema = z.object({ kind: z.literal('scan'), channelId, requestedBy: userId.optional(), tag: scanTag.optional() });
/** The scan report's "Restart the N stale hosts…": a fresh check-first over the ids stored with scan `scanId`. */
export const scanRestartJobSchema = z.object({ kind: z.literal('scan-restart'), userId, channelId, scanId: z.string().regex(/^r-[A-Za-z0-9_-]{1,40}$/) });
export const remediationJobSchema = z.discriminatedUnion('kind', [checkFirstJobSchema, planCheckJobSchema, confirmJobSchema, scanJobSchema, scanRestartJobSchema, fleetWaveJobSchema]);
export type RemediationJob = z.infer<typeof remediationJobSchema>;
export type CheckFirstJob = z.infer<typeof checkFirstJobSchema>;
export type ConfirmJob = z.infer<typeof confirmJobSchema>;
export type PlanCheckJob = z.infer<typeof planCheckJobSchema>;
export type ScanJob = z.infer<typeof scanJobSchema>;
export type ScanRestartJob = z.infer<typeof scanRestartJobSchema>;

/** Where a job's own answers go (the requester only). A Bolt listener's `client.chat` fits. */
export interface EphemeralPoster {
  postEphemeral(args: { channel: string; user: string; text: string; blocks?: unknown[]; thread_ts?: string }): Promise<unknown>;
}

/** What a job posts with: the requester's ephemeral answers, and a Confirm's public status message. `client.chat` fits. */
export interface JobChat extends EphemeralPoster {
  postMessage(args: { channel: string; text: string; blocks?: unknown[]; thread_ts?: string }): Promise<{ ts?: string; channel?: string }>;
  update(args: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<unknown>;
  getPermalink(args: { channel: string; message_ts: string }): Promise<{ permalink?: string }>;
}

export interface JobQueue {
  /**
   * Hands the job over and returns as soon as it is accepted. `local` is what an in-process runner posts with;
   * a queue that runs the job elsewhere ignores it.
   */
  enqueue(job: RemediationJob, local: { chat: JobChat }): Promise<void>;
}

export type JobRunner = (job: RemediationJob, chat: JobChat) => Promise<void>;

/** Every in-process job still running, whichever queue started it (see `inProcessJobsIdle`). */
const everyRunning = new Set<Promise<void>>();

/**
 * Resolves when no in-process job is running any more. A job follows the answer it was started by, so a caller that
 * drives the real handler (a test, or a local run shutting down) cannot reach the queue and waits here instead.
 */
export async function inProcessJobsIdle(): Promise<void> {
  while (everyRunning.size > 0) await Promise.all([...everyRunning]);
}

/** Runs each job in this process once the current request is answered (local runs and tests only: Lambda would freeze it). */
export class InProcessJobQueue implements JobQueue {
  private readonly running = new Set<Promise<void>>();

  public constructor(
    private readonly run: JobRunner,
    private readonly onError: (error: unknown) => void,
  ) {}

  public async enqueue(job: RemediationJob, local: { chat: JobChat }): Promise<void> {
    const parsed = remediationJobSchema.parse(job);
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(parsed, local.chat))
      .catch(this.onError)
      .finally(() => {
        this.running.delete(task);
        everyRunning.delete(task);
      });
    this.running.add(task);
    everyRunning.add(task);
  }

  /** Resolves when every job enqueued so far has finished. */
  public async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

/** The Lambda hand-over: an asynchronous invocation of the worker function with the job as its payload. */
export class LambdaJobQueue implements JobQueue {
  public constructor(
    private readonly functionName: string,
    private readonly invoke: (input: { FunctionName: string; InvocationType: 'Event'; Payload: Uint8Array }) => Promise<{ StatusCode?: number }>,
  ) {}

  public async enqueue(job: RemediationJob): Promise<void> {
    const payload = new TextEncoder().encode(JSON.stringify(remediationJobSchema.parse(job)));
    const { StatusCode } = await this.invoke({ FunctionName: this.functionName, InvocationType: 'Event', Payload: payload });
    // Lambda answers 202 when it has queued an asynchronous invocation.
    if (StatusCode !== 202) throw new Error(`the remediation worker did not accept the job (status ${String(StatusCode)})`);
  }
}
