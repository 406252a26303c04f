import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HandlerFunction, PREBUILT_HANDLERS_CONTEXT, prebuiltHandlerDir } from '../../infra/constructs/handler-function';

/**
 * The `shim-fix:prebuilt-handlers` context the stack tests synthesise with: HandlerFunction ships the folder's bundle
 * as it is, with the handler name CDK gives its own bundles, and refuses a folder without the entry's bundle.
 */
const ENTRY = 'lambda/handlers/command-sweeper.ts';
const BUNDLE = 'exports.handler = async () => "prebuilt";\n';

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'shim-fix-prebuilt-'));
  mkdirSync(prebuiltHandlerDir(folder, ENTRY), { recursive: true });
  writeFileSync(path.join(prebuiltHandlerDir(folder, ENTRY), 'index.js'), BUNDLE);
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function synthOne(prebuilt: string): { app: App; template: Template } {
  const app = new App({ outdir: mkdtempSync(path.join(folder, 'cdk.out-')), context: { [PREBUILT_HANDLERS_CONTEXT]: prebuilt }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Prebuilt');
  new HandlerFunction(stack, 'Sweeper', { entry: ENTRY, description: 'sweeper', environment: {}, logRetention: RetentionDays.ONE_WEEK });
  return { app, template: Template.fromStack(stack) };
}

describe('HandlerFunction with prebuilt handlers', () => {
  it('ships the prebuilt bundle unchanged, as index.handler', () => {
    // Act
    const { app, template } = synthOne(folder);

    // Assess
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties.Handler).toBe('index.handler');
    const key = fn?.Properties.Code.S3Key as string;
    expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(readFileSync(path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js'), 'utf8')).toBe(BUNDLE);
  });

  it('refuses a folder that holds no bundle of the entry, naming the context key and the entry', () => {
    // Prepare
    const empty = mkdtempSync(path.join(folder, 'empty-'));

    // Act
    const synth = () => synthOne(empty);

    // Assess
    expect(synth).toThrow(`${PREBUILT_HANDLERS_CONTEXT} is ${empty}, but it holds no bundle of ${ENTRY}`);
  });
});
