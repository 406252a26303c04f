import { buildStatusDeps, createCommandStatusHandler } from '../../../lambda/handlers/command-status';
import { startSlackHandlerEnvironment, type SlackHandlerEnvironment } from '../../helpers/slack-handler-env';
import { FakeSsm } from './fake-ssm';

type StatusHandler = ReturnType<typeof createCommandStatusHandler>;

/**
 * What the tests that follow a restart from the Slack request to its result post share: the real Slack handler's
 * environment (dynalite, the loopback Slack stub), a FakeSsm in front of the real SDK, and the real status handler
 * built the way the Lambda builds it. Started once per file; Slack calls and SSM answers are reset before each test.
 */
export class StatusFlow {
  public readonly ssm = new FakeSsm();
  private started?: { env: SlackHandlerEnvironment; statusHandler: StatusHandler };

  public get env(): SlackHandlerEnvironment {
    return this.running().env;
  }

  public get statusHandler(): StatusHandler {
    return this.running().statusHandler;
  }

  public async start(operator: string): Promise<void> {
    const env = await startSlackHandlerEnvironment();
    process.env.SHIM_FIX_OPERATORS = operator;
    this.started = { env, statusHandler: createCommandStatusHandler(() => buildStatusDeps(process.env)) };
  }

  public async stop(): Promise<void> {
    delete process.env.SHIM_FIX_OPERATORS;
    this.ssm.mock.restore();
    await this.started?.env.stop();
  }

  private running(): NonNullable<StatusFlow['started']> {
    if (!this.started) throw new Error('the status flow is used before beforeAll started it');
    return this.started;
  }
}

/** Registers the file's beforeAll/afterAll/beforeEach for a {@link StatusFlow} with `operator` as the only operator. */
export function useStatusFlow(operator: string): StatusFlow {
  const flow = new StatusFlow();
  beforeAll(() => flow.start(operator));
  afterAll(() => flow.stop());
  beforeEach(() => {
    flow.env.slack.reset();
    flow.ssm.reset();
  });
  return flow;
}
