// The drain as a CDK construct: the same resources as infra/terraform/drain.tf. EventBridge terminate lifecycle
// actions → SQS → the function, which heartbeats and re-queues re-checks on that queue while a worker's lease is live,
// then completes with CONTINUE.
import * as cdk from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  ScalegateCommonProps, ScalegateConstruct, aboveZero, groupNames, hookSpecification, lifecycleActions, rolePolicy,
  scalegateFunction, scalegateMetric, seconds,
} from "./scalegate-function";
import { groupAlarm } from "./group-alarms";

const PREFIX = "scalegate-drain";

/** Props of the drain. */
export interface DrainProps extends ScalegateCommonProps {
  /**
   * Groups whose terminations are drained. With none (and no `autoScalingGroupNames`), any group whose terminate hook
   * is named after the drain opts in.
   * @default - groups opt in by hook name
   */
  readonly autoScalingGroups?: autoscaling.IAutoScalingGroup[];
  /**
   * Groups whose terminations are drained, by name.
   * @default - none
   */
  readonly autoScalingGroupNames?: string[];
  /**
   * How long a terminating worker that holds a lease may keep working before it is terminated anyway.
   * @default Duration.hours(1)
   */
  readonly budget?: cdk.Duration;
  /**
   * The first wait before re-checking a worker's lease.
   * @default Duration.seconds(15)
   */
  readonly firstDelay?: cdk.Duration;
  /**
   * The longest wait between re-checks (SQS delays at most 15 minutes).
   * @default Duration.minutes(5)
   */
  readonly maxDelay?: cdk.Duration;
  /**
   * Create a terminate hook on each named group (set false when the groups declare it inline).
   * @default true
   */
  readonly createHooks?: boolean;
  /**
   * The hook's heartbeat timeout; the drain heartbeats while a lease is live.
   * @default Duration.minutes(5)
   */
  readonly heartbeatTimeout?: cdk.Duration;
}

/** Busy workers are never killed: terminate lifecycle actions wait while the instance holds a live work lease. */
export class Drain extends ScalegateConstruct {
  /** The function's name, which is also the terminate hook's name. */
  public readonly hookName: string;
  public readonly function: lambda.Function;
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Terminate lifecycle actions and the drain's own re-checks. */
  public readonly queue: sqs.Queue;
  /** Records the drain could not read (alarmed). */
  public readonly deadLetterQueue: sqs.Queue;
  private readonly heartbeatTimeout: cdk.Duration;

  constructor(scope: Construct, id: string, props: DrainProps) {
    super(scope, id);
    const name = props.name ?? PREFIX;
    this.hookName = name;
    this.heartbeatTimeout = props.heartbeatTimeout ?? cdk.Duration.minutes(5);
    const maxDelay = props.maxDelay ?? cdk.Duration.minutes(5);
    if (maxDelay.toSeconds() > 900) throw new Error("maxDelay must be at most 15 minutes (SQS's longest message delay)");
    const groups = groupNames(props.autoScalingGroups, props.autoScalingGroupNames);
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy: rolePolicy(`${PREFIX}.json`),
      memorySize: 256,
      timeout: cdk.Duration.seconds(30),
      environment: {
        SCALEGATE_DRAIN_BUDGET: seconds("budget", props.budget ?? cdk.Duration.hours(1)),
        SCALEGATE_DRAIN_FIRST_DELAY: seconds("firstDelay", props.firstDelay ?? cdk.Duration.seconds(15)),
        SCALEGATE_DRAIN_MAX_DELAY: seconds("maxDelay", maxDelay),
      },
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    const { queue, deadLetters } = lifecycleActions(this, {
      name,
      ruleId: "TerminateActions",
      transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      groups,
      fn: this.alias,
      visibilityTimeout: cdk.Duration.seconds(180),
      createHooks: props.createHooks,
      heartbeatTimeout: this.heartbeatTimeout,
      // Terminating goes ahead either way; CONTINUE says so plainly.
      defaultResult: "CONTINUE",
      deadLettersDescription:
        "Records the drain could not read reached its dead-letter queue (each names its problem in a scalegate-error attribute).",
    });
    // Re-checks go back on the queue the function consumes; unreadable records to its dead-letter queue.
    this.function.addEnvironment("SCALEGATE_DRAIN_QUEUE_URL", queue.queueUrl);
    this.function.addEnvironment("SCALEGATE_DRAIN_DLQ_URL", deadLetters.queueUrl);
    this.queue = queue;
    this.deadLetterQueue = deadLetters;

    groups.forEach((group, i) => {
      groupAlarm.drainBudgetSpent(this, `BudgetSpent-${cdk.Token.isUnresolved(group) ? String(i) : group}`, name, group);
    });
    aboveZero(this, "Errors", `${name}-errors`,
      "The drain function is failing: terminating workers may be cut off when the hook times out.",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
    this.notify(props);
  }

  /** The terminate hook a group declares inline (default result CONTINUE). */
  public terminateHook(): autoscaling.CfnAutoScalingGroup.LifecycleHookSpecificationProperty {
    return hookSpecification(this.hookName, "autoscaling:EC2_INSTANCE_TERMINATING", "CONTINUE", this.heartbeatTimeout);
  }

  /** How the drain completed terminations of a group (`DrainCompletions`), optionally for one reason
   * (`no_lease`, `lease_expired`, `lease_unreadable`, `from_warm_pool`, `budget_spent`). */
  public metricCompletions(autoScalingGroupName: string, reason?: string, options?: cw.MetricOptions): cw.Metric {
    const dimensions: Record<string, string> = { AutoScalingGroupName: autoScalingGroupName };
    if (reason) dimensions.Reason = reason;
    return scalegateMetric("DrainCompletions", dimensions, { statistic: "Sum", ...options });
  }
}
