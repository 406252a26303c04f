import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ConfigurationError } from '../../lambda/core/errors';
import { ALLOW_STOPPING_CONTAINERS, commandDocumentContent } from '../ssm-document-content';
import { assembleScript } from '../ssm-script-assembly';
import { documentArn } from './permissions';

/** The scripts our documents run; their content is read at synth time. */
export const CHECK_SCRIPT = 'check-container-runtime.sh';
export const RESTART_SCRIPT = 'restart-container-runtime.sh';

export interface CommandDocumentsProps {
  readonly restartDocumentName: string;
  readonly checkDocumentName: string;
  /** Folder holding {@link CHECK_SCRIPT} and {@link RESTART_SCRIPT}. */
  readonly scriptsDir: string;
}

function readScript(scriptsDir: string, file: string): { script: string; source: string } {
  const source = path.join(scriptsDir, file);
  if (!existsSync(source)) {
    throw new ConfigurationError(`${source} is missing: our SSM documents are built from it at synth time`);
  }
  return { script: assembleScript(source), source };
}

/**
 * Our two Command documents: the only documents the bot may send (IAM denies every other one).
 * They take no free-form parameters, so nobody can smuggle a command through Slack: the check none, the restart one
 * closed choice (AllowStoppingContainers: no | yes).
 */
export class CommandDocuments extends Construct {
  public readonly restart: CfnDocument;
  public readonly check: CfnDocument;
  public readonly restartName: string;
  public readonly checkName: string;
  /** ARNs of both documents, for IAM. */
  public readonly arns: string[];

  public constructor(scope: Construct, id: string, props: CommandDocumentsProps) {
    super(scope, id);
    this.restartName = props.restartDocumentName;
    this.checkName = props.checkDocumentName;

    this.check = this.document('Check', props.checkDocumentName, {
      description: 'shim-fix: read-only check of the container runtime (containerd and shim versions, Docker live-restore).',
      ...readScript(props.scriptsDir, CHECK_SCRIPT),
      timeoutSeconds: 120,
    });
    this.restart = this.document('Restart', props.restartDocumentName, {
      description: 'shim-fix: re-check, restart containerd only when the daemon is stale, verify; Docker only when needed and allowed.',
      ...readScript(props.scriptsDir, RESTART_SCRIPT),
      timeoutSeconds: 600,
      // The one parameter: the operator's explicit consent to stop containers (Docker restart without live-restore).
      choice: ALLOW_STOPPING_CONTAINERS,
    });
    this.arns = [documentArn(this, props.restartDocumentName), documentArn(this, props.checkDocumentName)];
  }

  private document(id: string, name: string, content: Parameters<typeof commandDocumentContent>[0]): CfnDocument {
    return new CfnDocument(this, id, {
      name,
      documentType: 'Command',
      documentFormat: 'JSON',
      content: commandDocumentContent(content),
      // A named document cannot be replaced in place (the name is taken); a new default version is created instead.
      updateMethod: 'NewVersion',
    });
  }
}
