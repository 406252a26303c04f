import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildKnowledgeBundle } from '../lambda/cli/knowledge-bundle';
import { ShimFixStack } from './shim-fix-stack';
import { settingsFromContext } from './settings';

async function synth(): Promise<void> {
  // Every cdk synth, deploy and watch bundles the runbooks as they are now: a fresh clone needs no kb:build first,
  // and an edited runbook is never deployed from an older bundle.
  await buildKnowledgeBundle(process.stderr);
  // Thin entry: settings come from CDK context (`-c key=value`, see docs/deploy.md), nothing else.
  const app = new App();
  new ShimFixStack(app, 'ShimFix', {
    settings: settingsFromContext(app.node),
  });
  // cdk-nag fails the synth on any finding that is neither fixed nor acknowledged next to its construct.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // The App synthesises on its own when the process is about to exit.
}

synth().catch((error: unknown) => {
  process.stderr.write(`shim-fix synth: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
