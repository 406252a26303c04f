import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { catalogue } from './catalogue';
import { REPORT_PATH, renderReliabilityReport } from './render';

/** `npm run reliability:report`: rewrites docs/reliability.md from the catalogue. */
const target = path.resolve(__dirname, '..', '..', REPORT_PATH);
writeFileSync(target, renderReliabilityReport(catalogue));
process.stdout.write(`wrote ${REPORT_PATH} (${catalogue.length} cases)\n`);
