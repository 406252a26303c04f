import { ErrorCode } from '../../lambda/core/errors';
import { ALLOW_STOPPING_CONTAINERS, COMMAND_STEP_NAME, MAX_DOCUMENT_CONTENT_BYTES, commandDocumentContent, scriptToRunCommand, withChoiceParameter } from '../../infra/ssm-document-content';

describe('scriptToRunCommand', () => {
  it('keeps the script line for line, so the SSM console shows exactly what runs', () => {
    // Prepare
    const script = '#!/usr/bin/env bash\nset -euo pipefail\n\necho "${HOME}"\n';

    // Act
    const lines = scriptToRunCommand(script, 'check.sh');

    // Assess
    expect(lines).toEqual(['#!/usr/bin/env bash', 'set -euo pipefail', '', 'echo "${HOME}"']);
    expect(`${lines.join('\n')}\n`).toBe(script);
  });

  it('normalises Windows line endings, which would otherwise reach bash as stray carriage returns', () => {
    // Act
    const lines = scriptToRunCommand('echo a\r\necho b\r\n', 'restart.sh');

    // Assess
    expect(lines).toEqual(['echo a', 'echo b']);
  });

  it('rejects SSM parameter syntax in a script, since scripts take no free-form input, naming file and line', () => {
    // Act
    const embed = () => scriptToRunCommand('echo ok\necho {{ commands }}\n', 'restart.sh');

    // Assess
    expect(embed).toThrow('restart.sh:2:');
    expect(embed).toThrow(expect.objectContaining({ code: ErrorCode.ConfigurationError }));
  });

  it('rejects a script without a single command', () => {
    // Act
    const embed = () => scriptToRunCommand('#!/bin/sh\n# nothing yet\n\n', 'check.sh');

    // Assess
    expect(embed).toThrow('check.sh: the script has no commands');
  });
});

describe('commandDocumentContent', () => {
  it('builds a schema 2.2 document with one Linux-only aws:runShellScript step and no parameters', () => {
    // Act
    const content = commandDocumentContent({ description: 'Check', script: 'echo ok\n', source: 'check.sh', timeoutSeconds: 120 });

    // Assess
    expect(content).toEqual({
      schemaVersion: '2.2',
      description: 'Check',
      parameters: {},
      mainSteps: [
        {
          action: 'aws:runShellScript',
          name: COMMAND_STEP_NAME,
          precondition: { StringEquals: ['platformType', 'Linux'] },
          inputs: { timeoutSeconds: '120', runCommand: ['echo ok'] },
        },
      ],
    });
  });

  it('refuses content larger than SSM accepts, at synth time rather than in CloudFormation', () => {
    // Prepare
    const script = `echo ${'x'.repeat(MAX_DOCUMENT_CONTENT_BYTES)}\n`;

    // Act
    const build = () => commandDocumentContent({ description: 'Big', script, source: 'big.sh' });

    // Assess
    expect(build).toThrow(/big\.sh: the document would be \d+ bytes/);
  });
});

describe('the restart document\'s one parameter', () => {
  const script = '#!/usr/bin/env bash\nset -euo pipefail\necho "${SHIM_FIX_ALLOW_STOPPING_CONTAINERS}"\n';

  it('declares AllowStoppingContainers as a String that SSM accepts only as no or yes, default no', () => {
    // Act
    const content = commandDocumentContent({ description: 'Restart', script, source: 'restart.sh', choice: ALLOW_STOPPING_CONTAINERS });

    // Assess
    expect(content.parameters).toEqual({
      AllowStoppingContainers: {
        type: 'String',
        description: ALLOW_STOPPING_CONTAINERS.description,
        allowedValues: ['no', 'yes'],
        default: 'no',
      },
    });
  });

  it('hands it to the script in one generated line right after the shebang, exported so a re-exec under bash keeps it', () => {
    // Act
    const content = commandDocumentContent({ description: 'Restart', script, source: 'restart.sh', choice: ALLOW_STOPPING_CONTAINERS });

    // Assess
    const steps = content.mainSteps as Array<{ inputs: { runCommand: string[] } }>;
    expect(steps[0]?.inputs.runCommand).toEqual([
      '#!/usr/bin/env bash',
      "export SHIM_FIX_ALLOW_STOPPING_CONTAINERS='{{ AllowStoppingContainers }}'",
      'set -euo pipefail',
      'echo "${SHIM_FIX_ALLOW_STOPPING_CONTAINERS}"',
    ]);
    expect(steps[0]?.inputs.runCommand.filter((line) => line.includes('{{'))).toHaveLength(1);
  });

  it('still rejects parameter syntax in the script itself', () => {
    // Act
    const build = () =>
      commandDocumentContent({ description: 'Restart', script: '#!/bin/sh\necho {{ AllowStoppingContainers }}\n', source: 'restart.sh', choice: ALLOW_STOPPING_CONTAINERS });

    // Assess
    expect(build).toThrow('restart.sh:2:');
  });

  it.each([
    ['a value that is not a plain word', { ...ALLOW_STOPPING_CONTAINERS, allowedValues: ['no', "yes'; reboot; '"] }],
    ['a default outside the allowed values', { ...ALLOW_STOPPING_CONTAINERS, default: 'maybe' }],
    ['an environment variable that is not a plain name', { ...ALLOW_STOPPING_CONTAINERS, environmentVariable: 'X=1 Y' }],
  ])('refuses %s', (_case, choice) => {
    // Act
    const build = () => withChoiceParameter(['#!/bin/sh', 'echo ok'], choice, 'restart.sh');

    // Assess
    expect(build).toThrow(expect.objectContaining({ code: ErrorCode.ConfigurationError }));
  });
});
