import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthShimFix, type SynthesisedShimFix } from './helpers/synth';

let synth: SynthesisedShimFix;

beforeAll(() => {
  // Every optional resource switched on (alarm topic, customer managed key, scan schedule), so every construct is checked.
  // CloudFormation's own validation of these resources runs in custom-settings.test.ts.
  synth = synthShimFix(
    {
      alarmEmail: 'oncall@example.com',
      parameterKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      scanSchedule: 'cron(0 6 * * ? *)',
      scanChannel: 'C0SCANS0001',
    },
    undefined,
    { cloudFormationValidation: false },
  );
});

afterAll(() => synth.cleanUp());

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
      ),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  it('report no finding that is neither fixed nor acknowledged', () => {
    // Prepare
    const checks = new AwsSolutionsChecks();

    // Act
    const report = checks.validateScope(synth.app);

    // Assess
    expect(report.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledge findings one by one, next to the construct, each with a written reason', () => {
    // Act
    const found = acknowledgements(synth.app);

    // Assess
    expect(found.length).toBeGreaterThan(0);
    for (const acknowledgement of found) {
      // A finding id, never a whole rule: `AwsSolutions-IAM5[Resource::…]`.
      expect(acknowledgement.id).toMatch(/AwsSolutions-[A-Z]+\d+\[.+\]$/);
      expect(acknowledgement.reason.length).toBeGreaterThan(40);
      // On a handler's role, not on the stack or the app.
      expect(acknowledgement.path).toMatch(/^ShimFix\/(SlackHandler|RemediationWorker|StatusHandler|SweeperHandler)\/Role$/);
    }
  });

  it('stop the synth when a finding is left unaddressed (the harness the stack tests use really fails)', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'Unaddressed');
    new sqs.Queue(stack, 'QueueWithoutDeadLetterQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    const synthesise = () => Template.fromStack(stack);

    // Assess
    expect(synthesise).toThrow(/AwsSolutions-SQS3/);
  });
});
