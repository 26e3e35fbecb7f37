// Backlog per instance as a CDK construct: the same resources as infra/terraform/backlog.tf.
import * as cdk from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sources from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  ScalegateCommonProps, ScalegateConstruct, aboveZero, configBucket, configDocument, invokeOn, rolePolicy, ruleDeadLetters,
  scalegateFunction, scalegateMetric, scopeConfigRead,
} from "./scalegate-function";

const PREFIX = "scalegate-backlog-metric";

/** Props of the backlog-per-instance function. */
export interface BacklogMetricProps extends ScalegateCommonProps {
  /** The pairs (TOML `[[pair]]` tables: queue, group, latency, seconds_per_message), written to the configuration
   * bucket as backlog-pairs.toml (any number of pairs). */
  readonly configToml: string;
  /**
   * A versioned bucket (named `…-config-…`) for the pairs, e.g. the launch gate's `configBucket`.
   * @default - a bucket of its own
   */
  readonly configBucket?: s3.IBucket;
}

/** Publishes `BacklogPerInstance` (visible messages ÷ instances that can work) and `BacklogTarget` for each pair,
 * every minute and, at 10 s or 30 s resolution, from delayed ticks. */
export class BacklogMetric extends ScalegateConstruct {
  public readonly function: lambda.Function;
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly configBucket: s3.IBucket;
  /** Where the pairs live: `s3://<bucket>/backlog-pairs.toml`. */
  public readonly pairsLocation: string;
  /** The minute's later computations at high resolution, as delayed messages. */
  public readonly tickQueue: sqs.Queue;
  /** Scheduled events EventBridge could not deliver (alarmed). */
  public readonly rulesDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: BacklogMetricProps) {
    super(scope, id);
    const name = props.name ?? PREFIX;
    if (!props.configToml || !props.configToml.includes("[[pair]]")) {
      throw new Error("configToml must list at least one [[pair]] (queue, group, latency, seconds_per_message)");
    }
    this.configBucket = configBucket(this, name, props.configBucket);
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy: scopeConfigRead(rolePolicy(`${PREFIX}.json`), this.configBucket, "backlog-pairs.toml"),
      memorySize: 256,
      timeout: cdk.Duration.seconds(30),
      silence: {
        description: "The backlog-metric function has not run for 5 minutes: BacklogPerInstance is not being published and target tracking holds the group where it is (check its schedule rule and its start-up log).",
        period: cdk.Duration.minutes(5),
      },
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    this.pairsLocation = configDocument(this, {
      name,
      fn: this.function,
      setting: "SCALEGATE_BACKLOG_CONFIG_S3",
      key: "backlog-pairs.toml",
      content: props.configToml,
      bucket: this.configBucket,
    });
    // At 10 s or 30 s resolution the minute's scheduled run sends the minute's other computations here as delayed
    // messages; each invokes the function once. It bills for the work, never for waiting inside an invocation.
    this.tickQueue = new sqs.Queue(this, "Ticks", {
      queueName: `${name}-ticks`,
      visibilityTimeout: cdk.Duration.seconds(60),
      // A tick older than its minute is worthless: the next schedule brings fresh ones.
      retentionPeriod: cdk.Duration.seconds(120),
      enforceSSL: true,
    });
    cdk.Validations.of(this.tickQueue).acknowledge({
      id: "AwsSolutions::AwsSolutions-SQS3",
      reason: "A tick that cannot be handled is worthless a minute later (the next schedule sends fresh ones): a dead-letter queue would only collect stale ticks.",
    });
    this.function.addEnvironment("SCALEGATE_BACKLOG_TICK_QUEUE_URL", this.tickQueue.queueUrl);
    this.alias.addEventSource(new sources.SqsEventSource(this.tickQueue, { batchSize: 10 }));
    this.rulesDeadLetterQueue = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      schedule: events.Schedule.rate(cdk.Duration.minutes(1)),
    }, this.rulesDeadLetterQueue);
    aboveZero(this, "Errors", `${name}-errors`,
      "backlog-metric could not publish for some pair: target tracking is scaling on stale data.",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
    aboveZero(this, "UnexplainedScaling", `${name}-unexplained-scaling`,
      "A group's capacity stands above what its backlog asks for, raised by a user request or something other than its own scaling: the backlog function's `unexplained scaling` line names the group, the change, its cause and who made it (from CloudTrail).",
      this.metricUnexplainedScaling());
    this.notify(props);
  }

  /** Groups whose capacity the backlog does not explain, in the last run (`UnexplainedScaling`, no dimension). */
  public metricUnexplainedScaling(options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("UnexplainedScaling", {}, { statistic: "Maximum", period: cdk.Duration.minutes(5), ...options });
  }

  /** The metric to target-track a group on: `BacklogPerInstance` (Average), as the function publishes it. */
  public metricBacklogPerInstance(autoScalingGroupName: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("BacklogPerInstance", { AutoScalingGroupName: autoScalingGroupName }, { statistic: "Average", ...options });
  }

  /** The target a pair asks for (latency ÷ seconds per message), published beside the backlog (`BacklogTarget`). */
  public metricBacklogTarget(autoScalingGroupName: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("BacklogTarget", { AutoScalingGroupName: autoScalingGroupName }, { statistic: "Average", ...options });
  }
}
