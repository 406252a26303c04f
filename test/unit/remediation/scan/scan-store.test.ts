import { DynamoRemediationStore, type RemediationStore } from '../../../../lambda/aws/remediation-store';
import { InMemoryRemediationStore } from '../../../../lambda/aws/in-memory-remediation-store';
import { LAST_SCAN_STALE_CAP, scanRecordOf, type ScanRecord } from '../../../../lambda/remediation/scan/scan-report';
import { startLocalDynamo, type LocalDynamo } from '../../../helpers/dynamo';
import { HEALTHY, scanIds, scanSummary, SHIM_NEWER, STALE } from './scan-summary';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo.stop());

const factories: Array<[string, () => Promise<RemediationStore>]> = [
  ['DynamoRemediationStore (dynalite)', async () => new DynamoRemediationStore({ tableName: await dynamo.createTable(), client: dynamo.client })],
  ['InMemoryRemediationStore', async () => new InMemoryRemediationStore()],
];

function record(scanId: string, completedAt: string, staleCount = 2): ScanRecord {
  const stale = scanIds(staleCount).map((id) => STALE(id));
  return scanRecordOf(scanSummary([...stale, SHIM_NEWER('i-0ffffffffffffffff'), HEALTHY('i-0eeeeeeeeeeeeeeee')], { checkRequestId: scanId, completedAt }));
}

describe.each(factories)('scan items: %s', (_name, create) => {
  it('keeps every stale id of a 1,000-host scan with the scan, for the report button', async () => {
    // Prepare
    const store = await create();
    const big = record('r-big', '2026-12-02T06:00:00.000Z', 999);

    // Act
    await store.saveScan(big);
    const read = await store.getScan('r-big');

    // Assess
    expect(read).toEqual(big);
    expect(read?.staleDaemon).toHaveLength(999);
    expect(read?.shimNewer).toEqual(['i-0ffffffffffffffff']);
    expect(await store.getScan('r-missing')).toBeUndefined();
  });

  it('the last scan is the one that completed last, whatever order they were saved in, with its ids capped', async () => {
    // Prepare
    const store = await create();
    const newer = record('r-newer', '2026-12-02T06:00:00.000Z', 80);
    const older = record('r-older', '2026-12-01T06:00:00.000Z', 1);

    // Act
    const before = await store.getLastScan();
    await store.saveScan(newer);
    await store.saveScan(older);
    const last = await store.getLastScan();

    // Assess
    expect(before).toBeUndefined();
    expect(last?.scanId).toBe('r-newer');
    expect(last?.staleDaemon).toHaveLength(LAST_SCAN_STALE_CAP);
    expect(last?.staleTotal).toBe(81);
    expect(last?.checked).toBe(82);
    // The older scan is still stored under its own id: its report's button keeps working.
    expect((await store.getScan('r-older'))?.staleDaemon).toHaveLength(1);
  });
});
