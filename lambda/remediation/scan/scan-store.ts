import type { ScanRecord } from './scan-report';

/** The last scan as App Home shows it: the record with its stale ids capped, and how many there were in all. */
export type LastScanRecord = ScanRecord & { staleTotal: number };

/**
 * Where scans are kept, one port implemented by both remediation stores (DynamoDB and memory; one contract test runs
 * against both). Items: `scan#<scanId>` / `scan` (the whole record: the report's button reads its stale ids from here,
 * because up to 1,000 ids do not fit the 2,000 characters of a button value) and `scan#last` / `scan` (App Home's
 * summary, replaced only by a scan that completed later, so two scans finishing out of order leave the newer one).
 */
export interface ScanStore {
  saveScan(record: ScanRecord): Promise<void>;
  getScan(scanId: string): Promise<ScanRecord | undefined>;
  getLastScan(): Promise<LastScanRecord | undefined>;
}
