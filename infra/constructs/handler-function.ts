import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { z } from 'zod';

/** Repository root: entries, the lock file and the generated knowledge bundle are resolved from here. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The newest generally available Node.js runtime aws-cdk-lib offers. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Packages Bolt imports at load time for receivers our Lambda never builds (Express, Socket Mode, Node HTTP server).
 * They are replaced by a stub that throws when used: together they were about 1 MB of the 2.2 MB bundle.
 */
export const NOT_IN_LAMBDA = ['express', 'raw-body', '@slack/socket-mode'] as const;
export const NOT_IN_LAMBDA_STUB = path.join(PROJECT_ROOT, 'infra', 'bundling', 'not-in-lambda.cjs');
/** esbuild `alias` map: each package above resolves to the stub. */
export const HANDLER_ALIASES: Record<string, string> = Object.fromEntries(NOT_IN_LAMBDA.map((name) => [name, NOT_IN_LAMBDA_STUB]));

/**
 * How every handler is bundled. `bench/bundle.ts` builds with these same values, so the size it prints is the size we ship.
 * - the AWS SDK v3 (and the Smithy packages under it) is left out: the Node.js runtime ships it;
 * - everything else, the knowledge JSON the Slack handler imports included, goes into one minified file,
 *   except the receivers' packages in {@link NOT_IN_LAMBDA};
 * - no source maps: they would double the bundle and `--enable-source-maps` slows every cold start.
 */
export const HANDLER_BUNDLING = {
  target: 'node24',
  format: OutputFormat.CJS,
  minify: true,
  sourceMap: false,
  externalModules: ['@aws-sdk/*', '@smithy/*'],
  // Warnings and errors only: synth and tests stay quiet; `npm run bench:bundle` reports the size.
  logLevel: LogLevel.WARNING,
  esbuildArgs: { '--alias': Object.entries(HANDLER_ALIASES).map(([name, stub]) => `${name}=${stub}`) },
} as const satisfies BundlingOptions;

/**
 * {@link HANDLER_BUNDLING} as esbuild's own build options: what NodejsFunction passes on esbuild's command line (run in
 * the project root), for the tools that call esbuild themselves (`bench/bundle.ts`, the tests' one bundling per run).
 * `entry` is relative to the repository root, like {@link HandlerFunctionProps.entry}.
 */
export function handlerEsbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    outfile,
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: HANDLER_BUNDLING.target,
    format: HANDLER_BUNDLING.format,
    minify: HANDLER_BUNDLING.minify,
    sourcemap: HANDLER_BUNDLING.sourceMap,
    external: [...HANDLER_BUNDLING.externalModules],
    alias: HANDLER_ALIASES,
    logLevel: 'warning',
  } as const satisfies BuildOptions;
}

/**
 * CDK context key naming a folder of handlers bundled beforehand, `<folder>/<entry without .ts>/index.js` for each
 * entry (see {@link prebuiltHandlerDir}), built with {@link handlerEsbuildOptions}. When it is set, every
 * HandlerFunction ships that folder instead of running esbuild itself. The tests set it so that a run bundles each
 * handler once instead of once per stack synthesis; `npx cdk synth`/`deploy` never set it and bundle as usual.
 */
export const PREBUILT_HANDLERS_CONTEXT = 'shim-fix:prebuilt-handlers';

/** Where the prebuilt bundle of `entry` (relative to the repository root) lives under a {@link PREBUILT_HANDLERS_CONTEXT} folder. */
export function prebuiltHandlerDir(folder: string, entry: string): string {
  return path.join(folder, entry.replace(/\.ts$/, ''));
}

/** NodejsFunction's code: bundled by CDK (the default), or the prebuilt folder's bundle with CDK's own handler name. */
function handlerCode(scope: Construct, entry: string): Pick<NodejsFunctionProps, 'bundling' | 'code' | 'handler'> {
  const folder = z.string().min(1).optional().parse(scope.node.tryGetContext(PREBUILT_HANDLERS_CONTEXT));
  if (folder === undefined) {
    return { handler: 'handler', bundling: { ...HANDLER_BUNDLING, externalModules: [...HANDLER_BUNDLING.externalModules], forceDockerBundling: false } };
  }
  const dir = prebuiltHandlerDir(folder, entry);
  if (!existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`${PREBUILT_HANDLERS_CONTEXT} is ${folder}, but it holds no bundle of ${entry} (${path.join(dir, 'index.js')})`);
  }
  // NodejsFunction names the handler `index.handler` when it bundles; the same name keeps the template the same.
  return { code: lambda.Code.fromAsset(dir), handler: 'index.handler' };
}

export interface HandlerFunctionProps {
  /** Entry file, relative to the repository root, e.g. `lambda/handlers/slack.ts`. It exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default undefined (no reserved concurrency) */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A Node.js handler with its own role and log group.
 *
 * The role starts empty: no `AWSLambdaBasicExecutionRole` (which allows writing to any log group); it may only
 * write to this function's log group, and callers add exactly the statements the handler needs.
 */
export class HandlerFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Operational logs only (the audit trail is in DynamoDB), so they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the shim-fix handler ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      ...handlerCode(this, props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: HANDLER_RUNTIME,
      // Graviton: cheaper per millisecond and at least as fast for this workload.
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      // Powertools writes JSON already; the JSON format makes Lambda's own START/END/REPORT lines JSON too.
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      environment: props.environment,
    });
  }
}
