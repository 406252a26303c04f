import { InMemoryIdempotencyStore, type IdempotencyStore } from '../../../../lambda/aws/idempotency-store';
import { claimClick } from '../../../../lambda/slack/remediation/click-claim';
import { silentLogger } from '../fakes';

describe('claimClick', () => {
  test('the first click holds the claim, a second one is taken, and a released claim lets the next click through', async () => {
    // Arrange
    const deps = { clicks: new InMemoryIdempotencyStore(), logger: silentLogger() };

    // Act
    const first = await claimClick('scan-restart:r-scan1:U0PERSON01', deps);
    const second = await claimClick('scan-restart:r-scan1:U0PERSON01', deps);
    await first.release();
    const third = await claimClick('scan-restart:r-scan1:U0PERSON01', deps);

    // Assess
    expect([first.taken, second.taken, third.taken]).toEqual([false, true, false]);
  });

  test('releasing a taken click leaves the first one\'s claim in place', async () => {
    // Arrange
    const deps = { clicks: new InMemoryIdempotencyStore(), logger: silentLogger() };
    await claimClick('k', deps);

    // Act
    await (await claimClick('k', deps)).release();

    // Assess
    expect((await claimClick('k', deps)).taken).toBe(true);
  });

  test('an unreachable store lets the click through (it starts a read-only check) and says so in the log', async () => {
    // Arrange
    const down: IdempotencyStore = {
      claim: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' })),
      complete: async () => undefined,
      release: async () => Promise.reject(new Error('still down')),
      description: 'down',
    };
    const logger = silentLogger();

    // Act
    const click = await claimClick('k', { clicks: down, logger });

    // Assess
    expect(click.taken).toBe(false);
    await expect(click.release()).resolves.toBeUndefined();
    expect(logger.entries).toEqual([expect.objectContaining({ level: 'warn', data: { error: 'TimeoutError: connect ECONNREFUSED' } })]);
  });
});
