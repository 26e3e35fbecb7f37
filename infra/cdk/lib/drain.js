// The drain as a CDK construct: the same resources as infra/terraform/drain.tf. EventBridge terminate lifecycle
// actions → SQS → the function, which heartbeats and re-queues re-checks on that queue while a worker's lease is live,
// then completes with CONTINUE.
const cdk = require("aws-cdk-lib");
const { Construct } = require("constructs");
const sqs = cdk.aws_sqs;
const events = cdk.aws_events;
const targets = cdk.aws_events_targets;
const sources = cdk.aws_lambda_event_sources;
const cw = cdk.aws_cloudwatch;
const autoscaling = cdk.aws_autoscaling;
const { rolePolicy, scalegateFunction, aboveZero } = require("./scalegate-function");

class Drain extends Construct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{autoScalingGroups: string[], packagePath: string, name?: string, budget?: string, firstDelay?: string,
   *          maxDelay?: string, createHooks?: boolean, heartbeatTimeout?: number}} props
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-drain";
    if (!props.autoScalingGroups || props.autoScalingGroups.length === 0) {
      throw new Error("autoScalingGroups must name at least one group");
    }
    const deadLetters = new sqs.Queue(this, "DeadLetters", {
      queueName: `${name}-dlq`,
      retentionPeriod: cdk.Duration.days(14),
    });
    this.queue = new sqs.Queue(this, "Events", {
      queueName: `${name}-events`,
      visibilityTimeout: cdk.Duration.seconds(180),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    this.function = scalegateFunction(this, {
      name,
      prefix: "scalegate-drain",
      policy: rolePolicy("scalegate-drain.json"),
      packagePath: props.packagePath,
      memorySize: 256,
      timeout: cdk.Duration.seconds(30),
      environment: {
        SCALEGATE_DRAIN_QUEUE_URL: this.queue.queueUrl,
        SCALEGATE_DRAIN_DLQ_URL: deadLetters.queueUrl,
        SCALEGATE_DRAIN_BUDGET: props.budget ?? "1h",
        SCALEGATE_DRAIN_FIRST_DELAY: props.firstDelay ?? "15s",
        SCALEGATE_DRAIN_MAX_DELAY: props.maxDelay ?? "5m",
      },
    });
    new events.Rule(this, "TerminateActions", {
      ruleName: name,
      eventPattern: {
        source: ["aws.autoscaling"],
        detailType: ["EC2 Instance-terminate Lifecycle Action"],
        detail: { AutoScalingGroupName: props.autoScalingGroups },
      },
      targets: [new targets.SqsQueue(this.queue)],
    });
    this.function.addEventSource(new sources.SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));

    if (props.createHooks ?? true) {
      for (const group of props.autoScalingGroups) {
        new autoscaling.CfnLifecycleHook(this, `Hook-${group}`, {
          autoScalingGroupName: group,
          lifecycleHookName: name,
          lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
          heartbeatTimeout: props.heartbeatTimeout ?? 300,
          defaultResult: "CONTINUE",
        });
      }
    }
    for (const group of props.autoScalingGroups) {
      aboveZero(this, `BudgetSpent-${group}`, `${name}-budget-spent-${group}`,
        `Workers of ${group} were terminated while still holding a lease: the drain budget ran out.`,
        new cw.Metric({
          namespace: "scalegate",
          metricName: "DrainCompletions",
          dimensionsMap: { AutoScalingGroupName: group, Reason: "budget_spent" },
          statistic: "Sum",
          period: cdk.Duration.minutes(5),
        }));
    }
    aboveZero(this, "DeadLettersAlarm", `${name}-dead-letters`,
      "Records the drain could not read reached its dead-letter queue (each names its problem in a scalegate-error attribute).",
      deadLetters.metricApproximateNumberOfMessagesVisible({ period: cdk.Duration.minutes(1), statistic: "Maximum" }));
    aboveZero(this, "Errors", `${name}-errors`,
      "The drain function is failing: terminating workers may be cut off when the hook times out.",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
  }
}

module.exports = { Drain };
