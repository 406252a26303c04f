import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PREBUILT_HANDLERS_CONTEXT } from '../../../infra/constructs/handler-function';
import { ShimFixStack } from '../../../infra/shim-fix-stack';
import { settingsFromContext } from '../../../infra/settings';
import { prebuiltHandlers } from './handler-bundles';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The Slack handler imports the generated knowledge bundle; `npm test` builds it first, a lone `jest test/infra` may not have. */
export function ensureKnowledgeBundle(): void {
  if (existsSync(path.join(ROOT, 'lambda', 'generated', 'knowledge.json'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'bin', 'shim-fix.js'), 'kb', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

/** The context cdk.json gives the CLI, so the tests synthesise what `npm run synth` synthesises. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthesisedShimFix {
  app: App;
  stack: ShimFixStack;
  template: Template;
  /** Removes the temporary cloud assembly. */
  cleanUp(): void;
}

export interface SynthOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation (schemas and default rules; cdk.json makes a finding fail the
   * synthesis), as `cdk synth` does. It starts a WebAssembly engine, about 10 s of CPU in every test file that asks for
   * it; shim-fix-stack.test.ts (defaults, no optional resource) and custom-settings.test.ts (every setting changed, every
   * optional resource on) keep it, which covers every resource the other contexts make.
   * @default true
   */
  cloudFormationValidation?: boolean;
}

/**
 * Synthesises the stack in-process exactly as infra/app.ts does (cdk-nag included), with the handlers bundled once per
 * run ({@link prebuiltHandlers}). Call once per test file, in beforeAll.
 *
 * @example
 * let synth: SynthesisedShimFix;
 * beforeAll(() => { synth = synthShimFix({ operators: 'U012ABCDEF' }); });
 * afterAll(() => synth.cleanUp());
 */
export function synthShimFix(
  context: Record<string, string> = {},
  scriptsDir?: string,
  { cloudFormationValidation = true }: SynthOptions = {},
): SynthesisedShimFix {
  ensureKnowledgeBundle();
  const outdir = mkdtempSync(path.join(tmpdir(), 'shim-fix-cdk-'));
  // The handlers are bundled once per run with the stack's own esbuild options (handler-bundles.ts), not once per synthesis,
  // and every synthesis ships those bundles: real assets with real hashes, as `cdk synth` makes them.
  const app = new App({
    outdir,
    context: { ...cdkJsonContext(), [PREBUILT_HANDLERS_CONTEXT]: prebuiltHandlers(), ...context },
    builtinCloudFormationValidation: cloudFormationValidation,
  });
  const stack = new ShimFixStack(app, 'ShimFix', { settings: settingsFromContext(app.node), scriptsDir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Synthesising the template runs the validation plugins: an unaddressed cdk-nag finding throws here.
  const template = Template.fromStack(stack);
  return { app, stack, template, cleanUp: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** Logical id of the single resource of `type` whose id starts with `prefix` (ids are path-derived, e.g. `SlackHandlerRole…`). */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}
