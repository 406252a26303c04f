import { tearDownTestTempDir } from '../test-temp-dir';

export default function globalTeardown(): void {
  tearDownTestTempDir();
}
