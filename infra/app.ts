import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShimFixStack } from './shim-fix-stack';
import { settingsFromContext } from './settings';

// Thin entry: settings come from CDK context (`-c key=value`, see docs/deploy.md), nothing else.
const app = new App();
new ShimFixStack(app, 'ShimFix', {
  settings: settingsFromContext(app.node),
});
// cdk-nag fails the synth on any finding that is neither fixed nor acknowledged next to its construct.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
