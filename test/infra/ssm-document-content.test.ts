import { ErrorCode } from '../../lambda/core/errors';
import { COMMAND_STEP_NAME, MAX_DOCUMENT_CONTENT_BYTES, commandDocumentContent, scriptToRunCommand } from '../../infra/ssm-document-content';

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

  it('rejects SSM parameter syntax, since our documents take no parameters, naming file and line', () => {
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
