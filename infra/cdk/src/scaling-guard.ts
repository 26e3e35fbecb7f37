// The scaling guard as a CDK construct: the same resources as infra/terraform/guard.tf.
import * as cdk from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  ScalegateCommonProps, ScalegateConstruct, aboveZero, invokeOn, rolePolicy, ruleDeadLetters, scalegateFunction, scalegateMetric,
} from "./scalegate-function";

const PREFIX = "scalegate-scaling-guard";

/** The calls the guard judges (its EventBridge rule's event names): tests/fixtures/cloudtrail/expected.json `calls`. */
export const WATCHED_CALLS = [
  "AttachInstances",
  "BatchPutScheduledUpdateGroupAction",
  "CompleteLifecycleAction",
  "CreateLaunchTemplateVersion",
  "CreateOrUpdateTags",
  "DeleteAutoScalingGroup",
  "DeleteLifecycleHook",
  "DeleteTags",
  "DeleteWarmPool",
  "DetachInstances",
  "EnterStandby",
  "ExecutePolicy",
  "ExitStandby",
  "ModifyLaunchTemplate",
  "PutLifecycleHook",
  "PutScheduledUpdateGroupAction",
  "PutWarmPool",
  "SetDesiredCapacity",
  "SetInstanceHealth",
  "SetInstanceProtection",
  "StartInstanceRefresh",
  "SuspendProcesses",
  "UpdateAutoScalingGroup",
];

/** Props of the scaling guard. */
export interface ScalingGuardProps extends ScalegateCommonProps {
  /**
   * Role ARNs (patterns with `*` and `?`) allowed to change the scaling control plane besides scalegate's own roles.
   * @default []
   */
  readonly automation?: string[];
  /**
   * scalegate's own functions' roles that change the control plane by design (the reaper's and workers' protection,
   * the planner's pools, the sweep's health marks, the gate's completions): trusted by their exact ARN.
   * @default []
   */
  readonly trustedRoles?: iam.IRole[];
  /**
   * Lifecycle hook names (patterns) whose deletion or change is an alert.
   * @default ["scalegate-launch-gate*", "scalegate-drain*"]
   */
  readonly hooks?: string[];
  /**
   * The launch gate's hook names (patterns): a default of CONTINUE there weakens the gate.
   * @default ["scalegate-launch-gate*"]
   */
  readonly gateHooks?: string[];
  /**
   * Group names (patterns) the guard watches.
   * @default ["*"]
   */
  readonly groups?: string[];
  /**
   * Restore mode: when someone outside the automation set deletes the gate's launch hook or puts it weaker, the
   * guard puts it back (ABANDON, this heartbeat) on groups tagged `scalegate:guard-restore`; its role may put
   * lifecycle hooks on those groups only.
   * @default - alert only
   */
  readonly restore?: GuardRestore;
}

/** The gate hook the guard's restore mode puts back. */
export interface GuardRestore {
  /**
   * The gate's launch hook name (one of `gateHooks`).
   * @default "scalegate-launch-gate"
   */
  readonly hook?: string;
  /**
   * Its heartbeat timeout (30 s to 2 h).
   * @default Duration.minutes(5)
   */
  readonly heartbeatTimeout?: cdk.Duration;
}

/** Alerts when someone outside the automation set changes the scaling control plane (CloudTrail events): deletes or
 * weakens a gate or drain hook, suspends processes, points a group at another template, attaches instances, … It
 * needs a CloudTrail trail logging management events. */
export class ScalingGuard extends ScalegateConstruct {
  public readonly function: lambda.Function;
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Events EventBridge could not deliver (alarmed). */
  public readonly rulesDeadLetterQueue: sqs.Queue;
  /** Events the function failed on after Lambda's retries, each with its error (alarmed). */
  public readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ScalingGuardProps) {
    super(scope, id);
    const name = props.name ?? PREFIX;
    for (const arn of props.automation ?? []) {
      if (!arn.startsWith("arn:") || arn.includes(":assumed-role/")) {
        throw new Error(`automation ${arn}: give role ARNs (arn:aws:iam::ACCOUNT:role/NAME), not sessions`);
      }
    }
    // scalegate's own roles by their exact ARN, as Terraform trusts them: a name pattern would trust any role
    // someone names scalegate-….
    const trusted = (props.trustedRoles ?? []).map((r) => r.roleArn);
    const document = [
      `automation = ${JSON.stringify([...trusted, ...(props.automation ?? [])])}`,
      `hooks = ${JSON.stringify(props.hooks ?? ["scalegate-launch-gate*", "scalegate-drain*"])}`,
      `gate_hooks = ${JSON.stringify(props.gateHooks ?? ["scalegate-launch-gate*"])}`,
      `groups = ${JSON.stringify(props.groups ?? ["*"])}`,
    ];
    if (props.restore) {
      const heartbeat = (props.restore.heartbeatTimeout ?? cdk.Duration.minutes(5)).toSeconds();
      if (heartbeat < 30 || heartbeat > 7200) {
        throw new Error(`restore.heartbeatTimeout must be from 30 s to 2 h, as AWS allows (got ${heartbeat} s)`);
      }
      document.push("[restore]", `hook = ${JSON.stringify(props.restore.hook ?? "scalegate-launch-gate")}`, `heartbeat_timeout = ${heartbeat}`);
    }
    // The role file's restore statements stay only in restore mode: without it the guard reads and writes nothing else.
    const policy = rolePolicy(`${PREFIX}.json`);
    policy.Statement = policy.Statement.filter((st) => props.restore !== undefined || !(st.Sid ?? "").startsWith("Restore"));
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy,
      memorySize: 128,
      timeout: cdk.Duration.seconds(10),
      environment: { SCALEGATE_GUARD: document.join("\n") },
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    this.rulesDeadLetterQueue = ruleDeadLetters(this, name);
    this.failureQueue = new sqs.Queue(this, "Failures", {
      queueName: `${name}-failures`,
      retentionPeriod: cdk.Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    cdk.Validations.of(this.failureQueue).acknowledge({
      id: "AwsSolutions::AwsSolutions-SQS3",
      reason: "This queue is itself where failed events end: the function's on-failure destination.",
    });
    // The role's own policy (policies/roles) allows sending here; an L1 config adds no second grant.
    const onFailure = new lambda.CfnEventInvokeConfig(this, "OnFailure", {
      functionName: this.function.functionName,
      qualifier: this.alias.aliasName,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: this.failureQueue.queueArn } },
    });
    // The qualifier is the alias's name as text: without this the config could be made before the alias exists.
    onFailure.node.addDependency(this.alias);
    invokeOn(this, "CloudTrail", this.alias, {
      ruleName: `${name}-cloudtrail`,
      description: "Auto Scaling and launch-template calls, as CloudTrail records them",
      eventPattern: {
        source: ["aws.autoscaling", "aws.ec2"],
        detailType: ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["autoscaling.amazonaws.com", "ec2.amazonaws.com"], eventName: WATCHED_CALLS },
      },
    }, this.rulesDeadLetterQueue);
    aboveZero(this, "Errors", `${name}-errors`,
      "The scaling guard failed on an event (its log's `guard rejected` line says why; after retries the event is in the -failures queue).",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
    aboveZero(this, "FailuresAlarm", `${name}-failures`,
      `${name} failed on an event after Lambda's retries: see ${name}-failures, each message holds the event and the error.`,
      this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: cdk.Duration.minutes(1), statistic: "Maximum" }));
    aboveZero(this, "Alerts", `${name}-alerts`,
      "Someone outside the automation set changed the scaling control plane: the guard's `guard alert` line names who, what and which group.",
      this.metricGuardAlerts());
    this.notify(props);
  }

  /** Watched changes by principals outside the automation set (`GuardAlerts`, all actions). */
  public metricGuardAlerts(options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("GuardAlerts", {}, { statistic: "Sum", ...options });
  }
}
