import { setUpTestTempDir } from '../test-temp-dir';

export default function globalSetup(): void {
  setUpTestTempDir();
}
