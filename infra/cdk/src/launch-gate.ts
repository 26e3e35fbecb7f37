// The launch gate as a CDK construct: the same resources as infra/terraform, from the same policy file.
import * as cdk from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  ScalegateCommonProps, ScalegateConstruct, aboveZero, bundled, configBucket, configDocument, groupNames, hookSpecification,
  lifecycleActions, rolePolicy, scalegateFunction, scalegateMetric, scopeConfigRead,
} from "./scalegate-function";
import { groupAlarm } from "./group-alarms";

const PREFIX = "scalegate-launch-gate";

/** Props of the launch gate. */
export interface LaunchGateProps extends ScalegateCommonProps {
  /**
   * Groups the gate polices: their launch actions reach it and its role may complete only theirs. With none (and no
   * `autoScalingGroupNames`), any group whose launch hook is named after the gate opts in — the way to gate a group
   * that depends on the gate (`ScalegateGroup` declares the hook inline).
   * @default - groups opt in by hook name
   */
  readonly autoScalingGroups?: autoscaling.IAutoScalingGroup[];
  /**
   * Groups the gate polices, by name (for groups defined elsewhere).
   * @default - none
   */
  readonly autoScalingGroupNames?: string[];
  /**
   * Create a launch hook on each named group (set false when the groups declare it inline).
   * @default true
   */
  readonly createHooks?: boolean;
  /**
   * How long a launching instance waits for the gate before the hook's default result (ABANDON).
   * @default Duration.minutes(5)
   */
  readonly heartbeatTimeout?: cdk.Duration;
  /**
   * The rules (TOML, the form of policies/gate.toml), written to the configuration bucket as gate-rules.toml.
   * @default - the bundled policies/gate.toml
   */
  readonly gateRules?: string;
  /**
   * The function's timeout; the events queue's visibility timeout is six times it.
   * @default Duration.seconds(60)
   */
  readonly timeout?: cdk.Duration;
  /**
   * Abandons of one named group in 5 minutes that raise its alarm.
   * @default 3
   */
  readonly abandonAlarmThreshold?: number;
  /**
   * Alarm when a named group's p99 decision latency stays above this many milliseconds for 10 minutes.
   * @default 5000
   */
  readonly latencyAlarmP99Ms?: number;
  /**
   * SSM parameters the groups' templates name their AMI through (`resolve:ssm:<name>`): the role may read exactly
   * these. Without, such templates fail drift.ami closed.
   * @default - none
   */
  readonly amiParameters?: string[];
  /**
   * A versioned bucket (named `…-config-…`) for the rules.
   * @default - a bucket of its own
   */
  readonly configBucket?: s3.IBucket;
}

/**
 * No instance enters service until its credentials, firewall rules and configuration pass: launch lifecycle actions
 * → EventBridge → SQS → the gate's `live` alias → CompleteLifecycleAction (CONTINUE or ABANDON).
 */
export class LaunchGate extends ScalegateConstruct {
  /** The function's name, which is also the launch hook's name. */
  public readonly hookName: string;
  public readonly function: lambda.Function;
  /** What the events queue invokes; roll back by pointing it at an earlier version. */
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Launch lifecycle actions on their way to the function. */
  public readonly queue: sqs.Queue;
  /** Lifecycle actions the function could not handle (alarmed). */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly configBucket: s3.IBucket;
  /** Where the rules live: `s3://<bucket>/gate-rules.toml` (for `scalegate config push/rollback`). */
  public readonly rulesLocation: string;
  private readonly heartbeatTimeout: cdk.Duration;

  constructor(scope: Construct, id: string, props: LaunchGateProps) {
    super(scope, id);
    const name = props.name ?? PREFIX;
    if (!name.startsWith(PREFIX)) {
      throw new Error(`name must start with ${PREFIX} (policies/roles/${PREFIX}.json scopes to it)`);
    }
    this.hookName = name;
    const groups = groupNames(props.autoScalingGroups, props.autoScalingGroupNames);
    const stack = cdk.Stack.of(this);
    const timeout = props.timeout ?? cdk.Duration.seconds(60);
    this.heartbeatTimeout = props.heartbeatTimeout ?? cdk.Duration.minutes(5);

    // One source of truth for the role; with named groups, the completion statement is scoped to them.
    const doc = rolePolicy(`${PREFIX}.json`);
    if (groups.length > 0) {
      for (const statement of doc.Statement) {
        if (statement.Sid === "CompleteLifecycleActions") {
          statement.Resource = groups.map(
            (g) => `arn:${stack.partition}:autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${g}`,
          );
        }
      }
    }
    // SSM parameters the templates name their AMI through (resolve:ssm:...): the role may read exactly these.
    const amiParameters = props.amiParameters ?? [];
    if (amiParameters.length > 0) {
      doc.Statement.push({
        Sid: "ResolveAmiParameters",
        Effect: "Allow",
        Action: ["ssm:GetParameters"],
        Resource: amiParameters.map((p) => {
          if (p.startsWith("arn:")) return p;
          if (p.startsWith("/aws/service/")) return `arn:${stack.partition}:ssm:${stack.region}::parameter${p}`;
          return `arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter/${p.replace(/^\//, "")}`;
        }),
      });
    }
    this.configBucket = configBucket(this, name, props.configBucket);
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy: scopeConfigRead(doc, this.configBucket, "gate-rules.toml"),
      memorySize: 256,
      timeout,
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    // The rules live in the configuration bucket (any size, versioned, read again within 2 s of a change).
    this.rulesLocation = configDocument(this, {
      name,
      fn: this.function,
      setting: "SCALEGATE_GATE_RULES_S3",
      key: "gate-rules.toml",
      content: props.gateRules ?? bundled("gate.toml"),
      bucket: this.configBucket,
    });

    const actions = lifecycleActions(this, {
      name,
      ruleId: "LaunchActions",
      transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      groups,
      fn: this.alias,
      visibilityTimeout: cdk.Duration.seconds(timeout.toSeconds() * 6),
      createHooks: props.createHooks,
      heartbeatTimeout: this.heartbeatTimeout,
      defaultResult: "ABANDON",
      deadLettersDescription: "Lifecycle notifications the gate could not handle reached the dead-letter queue; their instances fell back to the hook's ABANDON.",
    });
    this.queue = actions.queue;
    this.deadLetterQueue = actions.deadLetters;

    groups.forEach((group, i) => {
      const key = cdk.Token.isUnresolved(group) ? String(i) : group;
      groupAlarm.abandons(this, `Abandons-${key}`, name, group, props.abandonAlarmThreshold ?? 3);
      groupAlarm.latency(this, `Latency-${key}`, name, group, props.latencyAlarmP99Ms ?? 5000);
    });
    aboveZero(this, "Errors", `${name}-errors`, "The launch-gate function is failing invocations: instances fall back to the hook's ABANDON.",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
    this.notify(props);
  }

  /** The launch hook a group declares inline so it exists before the first launch (default result ABANDON). */
  public launchHook(): autoscaling.CfnAutoScalingGroup.LifecycleHookSpecificationProperty {
    return hookSpecification(this.hookName, "autoscaling:EC2_INSTANCE_LAUNCHING", "ABANDON", this.heartbeatTimeout);
  }

  /** Gate decisions for a group (`GateDecisions`), optionally of one result (`CONTINUE` or `ABANDON`). */
  public metricDecisions(autoScalingGroupName: string, result?: string, options?: cw.MetricOptions): cw.Metric {
    const dimensions: Record<string, string> = { AutoScalingGroupName: autoScalingGroupName };
    if (result) dimensions.Result = result;
    return scalegateMetric("GateDecisions", dimensions, { statistic: "Sum", ...options });
  }

  /** How long the gate took to decide for a group, in milliseconds (`GateLatency`). */
  public metricLatency(autoScalingGroupName: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("GateLatency", { AutoScalingGroupName: autoScalingGroupName }, { statistic: "p99", ...options });
  }

  /** Launch to in-service for a group's gated instances, in seconds (`TimeToReady`). */
  public metricTimeToReady(autoScalingGroupName: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("TimeToReady", { AutoScalingGroupName: autoScalingGroupName }, { statistic: "p90", ...options });
  }
}
