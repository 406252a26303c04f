import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Slack gives up after 3 s; alarm well before the p99 gets there. */
export const SLACK_P99_ALARM_MS = 2500;

export interface OperationsAlarmsProps {
  /** Answers Slack; its latency is watched against Slack's 3-second limit. */
  readonly slackHandler: lambda.IFunction;
  readonly statusHandler: lambda.IFunction;
  /** The EventBridge rule that feeds the status handler: a failed delivery means a Slack thread never gets its result. */
  readonly statusRule: events.IRule;
  /** Finishes requests whose status events were lost; when it fails too, threads stay unfinished. */
  readonly sweeper?: lambda.IFunction;
  /** Plans and sends outside the Slack request; when it fails, a requester waits for a card or an outcome that never comes. */
  readonly worker?: lambda.IFunction;
  /** When set, alarms are sent to this address through an SNS topic (the recipient confirms the subscription once). */
  readonly alarmEmail?: string;
}

/** Errors, throttles and Slack latency, each one alarm, optionally e-mailed. */
export class OperationsAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly topic?: sns.Topic;

  public constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);

    for (const [name, fn] of [
      ['SlackHandler', props.slackHandler],
      ['StatusHandler', props.statusHandler],
    ] as const) {
      this.add(`${name}Errors`, fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }), {
        description: `shim-fix ${name} threw: a Slack user saw no answer or a thread missed its result. Check its log group.`,
        threshold: 1,
      });
      this.add(`${name}Throttles`, fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }), {
        description: `shim-fix ${name} was throttled: the account's Lambda concurrency is exhausted.`,
        threshold: 1,
      });
    }

    this.add('SlackHandlerLatencyP99', props.slackHandler.metricDuration({ period, statistic: cloudwatch.Stats.p(99) }), {
      description: `shim-fix SlackHandler p99 duration is at least ${SLACK_P99_ALARM_MS} ms; Slack retries or shows an error after 3 s.`,
      threshold: SLACK_P99_ALARM_MS,
      // One slow cold start is not an incident; two slow periods out of three are.
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    if (props.sweeper) {
      this.add('SweeperErrors', props.sweeper.metricErrors({ period, statistic: cloudwatch.Stats.SUM }), {
        description: 'shim-fix SweeperHandler threw in two of the last three runs: lost status events are not being recovered. Check its log group.',
        threshold: 1,
        // A single failed run is retried by the next one five minutes later.
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
    }

    if (props.worker) {
      // It catches what it can tell the requester about; an error here is a job that died (timeout, crash, bad
      // configuration), which Lambda retries twice and then drops.
      this.add('RemediationWorkerErrors', props.worker.metricErrors({ period, statistic: cloudwatch.Stats.SUM }), {
        description: 'shim-fix RemediationWorker threw: a check, a plan card or a Confirm was not finished, and the requester may not have been told. Check its log group.',
        threshold: 1,
      });
      this.add('RemediationWorkerThrottles', props.worker.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }), {
        description: "shim-fix RemediationWorker was throttled: the account's Lambda concurrency is exhausted; jobs wait in Lambda's queue.",
        threshold: 1,
      });
    }

    const failedDeliveries = new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap: { RuleName: props.statusRule.ruleName },
      period,
      statistic: cloudwatch.Stats.SUM,
    });
    this.add('StatusRuleFailedDeliveries', failedDeliveries, {
      description: 'EventBridge could not deliver SSM command events to the shim-fix status handler after retries.',
      threshold: 1,
    });

    if (props.alarmEmail) {
      // Not KMS-encrypted on purpose: CloudWatch cannot publish to a topic under the AWS managed key, and alarm
      // messages (alarm name, metric value) carry no secret worth a customer managed key and its key policy.
      this.topic = new sns.Topic(this, 'Topic', { displayName: 'shim-fix alarms', enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      const notify = new actions.SnsAction(this.topic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
      }
    }
  }

  private add(id: string, metric: cloudwatch.IMetric, options: { description: string; threshold: number; evaluationPeriods?: number; datapointsToAlarm?: number }): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        metric,
        alarmDescription: options.description,
        threshold: options.threshold,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.datapointsToAlarm,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is healthy: a quiet night must not page anyone.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
