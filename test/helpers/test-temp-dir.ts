import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Jest global setup and teardown: every temporary folder of the run (CDK's `cdk.out*` of Apps built without an
 * outdir, the tests' `shim-fix-*` folders, anything a child process puts in the temp dir) goes under one folder,
 * removed at the end, so `npm test` leaves nothing behind even when a test forgets to clean up or fails midway.
 * Workers are started after the global setup and inherit TMPDIR; `os.tmpdir()` reads it on every call.
 */
const MARKER = 'SHIM_FIX_TEST_TMPDIR';

export function setUpTestTempDir(): void {
  const root = mkdtempSync(path.join(tmpdir(), 'shim-fix-jest-'));
  process.env[MARKER] = root;
  process.env.TMPDIR = root;
}

export function tearDownTestTempDir(): void {
  const root = process.env[MARKER];
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
}
