import { InMemoryRemediationStore } from '../../../lambda/aws/in-memory-remediation-store';
import { DeliveryError } from '../../../lambda/remediation/notifier';
import { showOnce } from '../../../lambda/remediation/status-post-once';

const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

/** Fails the first show with `failure`, then shows; returns how many shows were attempted over two deliveries. */
async function twoDeliveries(failure: Error): Promise<{ attempts: number; posted: boolean; firstThrew: boolean }> {
  const store = new InMemoryRemediationStore();
  let attempts = 0;
  const show = async (): Promise<string> => {
    attempts += 1;
    if (attempts === 1) throw failure;
    return 'shown';
  };
  const firstThrew = await showOnce({ store, logger }, 'r-1', 'i-1', show).then(
    () => false,
    () => true,
  );
  await showOnce({ store, logger }, 'r-1', 'i-1', show).catch(() => undefined);
  return { attempts, posted: await store.isResultPosted('r-1', 'i-1'), firstThrew };
}

describe('showOnce reads a failed post the way the diagnosis answers do', () => {
  it.each<[string, Error, { attempts: number; posted: boolean; firstThrew: boolean }]>([
    ['may have been shown (timeout, reset after sending): counted as shown, never sent again', new DeliveryError('maybe', false, 'timeout'), { attempts: 1, posted: true, firstThrew: false }],
    ['surely not shown, retry later (429, 5xx with Slack body, refused): claim released, rethrown, shown once later', new DeliveryError('no', true, 'rate_limited'), { attempts: 2, posted: true, firstThrew: true }],
    ['refused for good (invalid_blocks): logged, counted as shown, not retried', new DeliveryError('no', false, 'invalid_blocks'), { attempts: 1, posted: true, firstThrew: false }],
    ['failed before posting (SSM read): claim released, rethrown', new Error('SSM unreachable'), { attempts: 2, posted: true, firstThrew: true }],
  ])('%s', async (_name, failure, expected) => {
    // Act
    const outcome = await twoDeliveries(failure);

    // Assess
    expect(outcome).toEqual(expected);
  });
});
