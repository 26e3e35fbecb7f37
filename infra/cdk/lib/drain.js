// The drain as a CDK construct: the same resources as infra/terraform/drain.tf. EventBridge terminate lifecycle
// actions → SQS → the function, which heartbeats and re-queues re-checks on that queue while a worker's lease is live,
// then completes with CONTINUE.
const cdk = require("aws-cdk-lib");
const cw = cdk.aws_cloudwatch;
const { ScalegateConstruct, rolePolicy, scalegateFunction, aboveZero, lifecycleActions } = require("./scalegate-function");

class Drain extends ScalegateConstruct {
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
    ({ fn: this.function, alias: this.alias } = scalegateFunction(this, {
      name,
      prefix: "scalegate-drain",
      policy: rolePolicy("scalegate-drain.json"),
      packagePath: props.packagePath,
      memorySize: 256,
      timeout: cdk.Duration.seconds(30),
      environment: {
        SCALEGATE_DRAIN_BUDGET: props.budget ?? "1h",
        SCALEGATE_DRAIN_FIRST_DELAY: props.firstDelay ?? "15s",
        SCALEGATE_DRAIN_MAX_DELAY: props.maxDelay ?? "5m",
      },
    }));
    const { queue, deadLetters } = lifecycleActions(this, {
      name,
      ruleId: "TerminateActions",
      transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      groups: props.autoScalingGroups,
      fn: this.alias,
      visibilityTimeout: cdk.Duration.seconds(180),
      createHooks: props.createHooks,
      heartbeatTimeout: props.heartbeatTimeout ?? 300,
      // Terminating goes ahead either way; CONTINUE says so plainly.
      defaultResult: "CONTINUE",
      deadLettersDescription:
        "Records the drain could not read reached its dead-letter queue (each names its problem in a scalegate-error attribute).",
    });
    // Re-checks go back on the queue the function consumes; unreadable records to its dead-letter queue.
    this.function.addEnvironment("SCALEGATE_DRAIN_QUEUE_URL", queue.queueUrl);
    this.function.addEnvironment("SCALEGATE_DRAIN_DLQ_URL", deadLetters.queueUrl);
    this.queue = queue;

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
    aboveZero(this, "Errors", `${name}-errors`,
      "The drain function is failing: terminating workers may be cut off when the hook times out.",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
    this.notify(props);
  }
}

module.exports = { Drain };
