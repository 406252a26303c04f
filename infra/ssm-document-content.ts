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
  /** The document's one parameter, if any: a closed choice handed to the script as an environment variable. */
  readonly choice?: ChoiceParameter;
}

/**
 * A String parameter with a fixed list of values (SSM rejects any other value before the document runs), given to the
 * script as `export <environmentVariable>='<value>'`, a line generated right after the shebang. The only parameter
 * our documents ever take: no free-form input.
 */
export interface ChoiceParameter {
  readonly name: string;
  readonly environmentVariable: string;
  readonly allowedValues: readonly string[];
  readonly default: string;
  readonly description: string;
}

/** The restart document's consent to stop containers (a Docker restart without live-restore); see docs/ssm-result-line.md. */
export const ALLOW_STOPPING_CONTAINERS: ChoiceParameter = {
  name: 'AllowStoppingContainers',
  environmentVariable: 'SHIM_FIX_ALLOW_STOPPING_CONTAINERS',
  allowedValues: ['no', 'yes'],
  default: 'no',
  description: 'yes: the operator accepted that restarting Docker (live-restore off) stops its running containers.',
};

/**
 * Turns a script into the `runCommand` list of an `aws:runShellScript` step.
 *
 * Kept apart on purpose: this is the one place that decides how our scripts are embedded.
 * The agent joins the list with newlines into an executable `_script.sh` and starts it with `sh -c <file>`, so the
 * kernel honours the script's `#!/usr/bin/env bash` (and the script re-executes itself under bash should a host's sh
 * read the file instead). The list is simply the script's lines, unchanged: a reader sees in the SSM console exactly
 * what runs.
 * `{{ … }}` would be read by SSM as a document parameter; the script itself may contain none (no free-form input,
 * ever), so such text is rejected here rather than failing later in CloudFormation.
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
 * The runCommand lines with the choice parameter's line after the shebang. The `{{ … }}` reference is added after the
 * script was checked for parameter syntax, so it is the only one in the document; the value lands in single quotes and
 * can only be one of the allowed values, which are plain words.
 */
export function withChoiceParameter(lines: string[], choice: ChoiceParameter, source: string): string[] {
  const word = /^[a-z0-9-]{1,32}$/;
  if (!/^[A-Za-z0-9]{1,64}$/.test(choice.name) || !/^[A-Z_][A-Z0-9_]{0,63}$/.test(choice.environmentVariable)) {
    throw new ConfigurationError(`${source}: parameter ${choice.name} / ${choice.environmentVariable} is not a plain name`);
  }
  if (choice.allowedValues.length === 0 || !choice.allowedValues.every((value) => word.test(value)) || !choice.allowedValues.includes(choice.default)) {
    throw new ConfigurationError(`${source}: parameter ${choice.name} needs plain-word allowed values that include its default`);
  }
  if (!lines[0]?.startsWith('#!')) throw new ConfigurationError(`${source}: the script must start with a shebang`);
  return [lines[0], `export ${choice.environmentVariable}='{{ ${choice.name} }}'`, ...lines.slice(1)];
}

/**
 * Builds the content of one of our Command documents: schema 2.2, Linux only, one `aws:runShellScript` step, and no
 * parameter but an optional closed choice ({@link ChoiceParameter}).
 *
 * @example
 * commandDocumentContent({ description: 'Read-only check', script: readFileSync(path, 'utf8'), source: path });
 */
export function commandDocumentContent(options: CommandDocumentContentOptions): Record<string, unknown> {
  const lines = scriptToRunCommand(options.script, options.source);
  const { choice } = options;
  const content = {
    schemaVersion: '2.2',
    description: options.description,
    parameters: choice
      ? {
          [choice.name]: {
            type: 'String',
            description: choice.description,
            allowedValues: [...choice.allowedValues],
            default: choice.default,
          },
        }
      : {},
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: COMMAND_STEP_NAME,
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: {
          timeoutSeconds: String(options.timeoutSeconds ?? 600),
          runCommand: choice ? withChoiceParameter(lines, choice, options.source) : lines,
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
