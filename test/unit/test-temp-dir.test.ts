import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';

describe('temporary folders of a test run', () => {
  test('live under the one folder the global teardown removes: a CDK App without outdir and a shim-fix-* folder included', () => {
    // Prepare
    const runRoot = process.env.SHIM_FIX_TEST_TMPDIR ?? 'unset';

    // Act
    const appDir = new App().outdir;
    const testDir = mkdtempSync(path.join(tmpdir(), 'shim-fix-example-'));

    // Assess
    expect(path.basename(runRoot)).toMatch(/^shim-fix-jest-/);
    expect(appDir.startsWith(runRoot + path.sep)).toBe(true);
    expect(testDir.startsWith(runRoot + path.sep)).toBe(true);
  });
});
