import { ConfigurationError } from '../lambda/core/errors';

/** SSM refuses Command documents whose content is larger than 64 KB. */
export const MAX_DOCUMENT_CONTENT_BYTES = 64 * 1024;

/** Name of the single step; `GetCommandInvocation` accepts it as `PluginName`. */
export const COMMAND_STEP_NAME = 'runContainerRuntimeScript';

export interface CommandDocumentContentOptions {
  /** One sentence shown in the SSM console and on the plan card. */
  readonly description: string;
  /** The shell script, exactly as it is on disk. */
  readonly script: string;
  /** Where the script came from, for error messages. */
  readonly source: string;
  /** @default 600 seconds: a restart waits for containerd's socket and Docker, never longer than that. */
  readonly timeoutSeconds?: number;
}

/**
 * Turns a script into the `runCommand` list of an `aws:runShellScript` step.
 *
 * Kept apart on purpose: this is the one place that decides how our scripts are embedded.
 * The agent joins the list with newlines into an executable `_script.sh` and starts it with `sh -c <file>`, so the
 * kernel honours the script's `#!/usr/bin/env bash` (and the script re-executes itself under bash should a host's sh
 * read the file instead). The list is simply the script's lines, unchanged: a reader sees in the SSM console exactly
 * what runs.
 * `{{ … }}` would be read by SSM as a document parameter; our documents take none (no free-form input, ever),
 * so such text is rejected here rather than failing later in CloudFormation.
 */
export function scriptToRunCommand(script: string, source: string): string[] {
  const lines = script.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  if (lines.every((line) => line.trim() === '' || line.trimStart().startsWith('#'))) {
    throw new ConfigurationError(`${source}: the script has no commands`);
  }
  const placeholder = lines.findIndex((line) => /\{\{.*\}\}/.test(line));
  if (placeholder !== -1) {
    throw new ConfigurationError(
      `${source}:${placeholder + 1}: "{{ … }}" is SSM parameter syntax; our documents take no parameters, so write it differently`,
    );
  }
  return lines;
}

/**
 * Builds the content of one of our Command documents: schema 2.2, Linux only, one `aws:runShellScript` step, no parameters.
 *
 * @example
 * commandDocumentContent({ description: 'Read-only check', script: readFileSync(path, 'utf8'), source: path });
 */
export function commandDocumentContent(options: CommandDocumentContentOptions): Record<string, unknown> {
  const content = {
    schemaVersion: '2.2',
    description: options.description,
    parameters: {},
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: COMMAND_STEP_NAME,
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: {
          timeoutSeconds: String(options.timeoutSeconds ?? 600),
          runCommand: scriptToRunCommand(options.script, options.source),
        },
      },
    ],
  };
  const bytes = Buffer.byteLength(JSON.stringify(content), 'utf8');
  if (bytes > MAX_DOCUMENT_CONTENT_BYTES) {
    throw new ConfigurationError(`${options.source}: the document would be ${bytes} bytes; SSM accepts at most ${MAX_DOCUMENT_CONTENT_BYTES}`);
  }
  return content;
}
