// What every scalegate function has in common: its role from the bundled policies/roles/<name>.json, a log group,
// the Rust bootstrap on provided.al2023 behind a `live` alias, optional schedules, and alarms on its errors, its
// throttles and (when scheduled) its silence.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as cdk from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sources from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct, IConstruct } from "constructs";

/** Where `npm run build` bundles the policies, default documents and dashboard (see scripts/bundle-assets.js). */
const ASSETS = path.join(__dirname, "..", "..", "assets");

/** A file bundled with the package: a role policy (`roles/<name>.json`), `gate.toml`, `duties.toml`, the dashboard. */
export function bundled(file: string): string {
  const where = path.join(ASSETS, file);
  if (!fs.existsSync(where)) {
    throw new Error(`${where} is missing: the package was not built with \`npm run build\` (it bundles policies/ into assets/)`);
  }
  return fs.readFileSync(where, "utf8");
}

/** A policy document as plain JSON, edited before it becomes an iam.PolicyDocument. */
export interface PolicyJson {
  Version?: string;
  Statement: StatementJson[];
}

/** One statement of a PolicyJson. */
export interface StatementJson {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

/** Reads a role's policy from the bundled policies/roles/. */
export function rolePolicy(file: string): PolicyJson {
  return JSON.parse(bundled(path.join("roles", file))) as PolicyJson;
}

/** Options every scalegate construct takes. */
export interface ScalegateCommonProps {
  /**
   * The function's code: `lambda.Code.fromAsset("dist/lambda/<function>.zip")` after `make build`.
   * @default - `packagePath` is required instead
   */
  readonly code?: lambda.Code;
  /**
   * A path to the function's zip or directory (the form the example app and `cdk.json` use); ignored when `code` is
   * given.
   * @default - `code` is required instead
   */
  readonly packagePath?: string;
  /**
   * The function's name; it must keep the construct's prefix (e.g. `scalegate-launch-gate`), which its bundled policy
   * scopes logs and queues to.
   * @default - the prefix itself
   */
  readonly name?: string;
  /**
   * The architecture the zip was built for (`make build` builds x86_64).
   * @default lambda.Architecture.X86_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Notified when any of the construct's alarms fires (e.g. `new cw_actions.SnsAction(topic)`).
   * @default - none; `addAlarmAction` adds some later
   */
  readonly alarmActions?: cw.IAlarmAction[];
  /**
   * Notified when any of the construct's alarms returns to OK.
   * @default - none
   */
  readonly okActions?: cw.IAlarmAction[];
}

/**
 * What every scalegate construct offers: its alarms, who they notify, and its function. `alarmActions` /
 * `okActions` in the props reach every alarm; so do later `addAlarmAction` calls.
 */
export abstract class ScalegateConstruct extends Construct {
  /** Every CloudWatch alarm this construct created. */
  public get alarms(): cw.Alarm[] {
    return this.node.findAll().filter((c): c is cw.Alarm => c instanceof cw.Alarm);
  }

  /** Notifies these actions when any of the construct's alarms fires. */
  public addAlarmAction(...actions: cw.IAlarmAction[]): void {
    for (const alarm of this.alarms) alarm.addAlarmAction(...actions);
  }

  /** Notifies these actions when any of the construct's alarms returns to OK. */
  public addOkAction(...actions: cw.IAlarmAction[]): void {
    for (const alarm of this.alarms) alarm.addOkAction(...actions);
  }

  /** Applies `alarmActions` and `okActions` from the props; constructors call it last. */
  protected notify(props: ScalegateCommonProps): void {
    this.addAlarmAction(...(props.alarmActions ?? []));
    this.addOkAction(...(props.okActions ?? []));
  }
}

const DETAIL_TYPES: Record<string, string> = {
  "autoscaling:EC2_INSTANCE_LAUNCHING": "EC2 Instance-launch Lifecycle Action",
  "autoscaling:EC2_INSTANCE_TERMINATING": "EC2 Instance-terminate Lifecycle Action",
};

/** BucketDeployment handlers (one per stack) whose findings are already acknowledged. */
const ACKNOWLEDGED_HANDLERS = new WeakSet<IConstruct>();

/** How cdk-nag spells a (resolved) policy value in a finding's id: tokens as <Ref> and <Resource.Attribute>. */
function nagSpelling(v: unknown): string {
  if (typeof v === "string") return v;
  const o = v as Record<string, unknown> | null;
  if (o && o.Ref) return `<${String(o.Ref)}>`;
  if (o && o["Fn::GetAtt"]) return `<${([] as unknown[]).concat(o["Fn::GetAtt"]).join(".")}>`;
  if (o && o["Fn::Join"]) {
    const [separator, parts] = o["Fn::Join"] as [string, unknown[]];
    return parts.map(nagSpelling).join(separator);
  }
  return JSON.stringify(v);
}

/**
 * Acknowledges, with one reason, each AwsSolutions-IAM5 finding (a wildcard action or resource) of the IAM roles and
 * policies it visits. cdk-nag acknowledges findings one by one, and the statements are final only at synthesis, so
 * this runs as an aspect; a wildcard the reason does not explain must not be added to these roles.
 */
class AcknowledgeWildcards implements cdk.IAspect {
  constructor(
    private readonly reason: string,
    private readonly inlineOnly = false,
  ) {}

  public visit(node: IConstruct): void {
    // A role's inline policy only (for scalegate's roles, the policy file): a statement added later in code, which
    // lands in a separate policy, is not covered and fails cdk-nag until someone justifies it.
    let documents: unknown[] = [];
    if (node instanceof iam.CfnRole) {
      const policies = (node.policies ?? []) as iam.CfnRole.PolicyProperty[];
      documents = Array.isArray(policies) ? policies.map((p) => p.policyDocument) : [];
    } else if (node instanceof iam.CfnPolicy && !this.inlineOnly) {
      documents = [node.policyDocument];
    }
    const stack = cdk.Stack.of(node);
    for (const document of documents) {
      const resolved = stack.resolve(document) as { Statement?: StatementJson | StatementJson[] };
      for (const statement of ([] as StatementJson[]).concat(resolved.Statement ?? [])) {
        for (const [kind, values] of [["Action", statement.Action], ["Resource", statement.Resource]] as const) {
          const wildcards = ([] as unknown[]).concat(values ?? []).map(nagSpelling).filter((x) => x.includes("*"));
          for (const value of wildcards) {
            cdk.Validations.of(node).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${kind}::${value}]`, reason: this.reason });
          }
        }
      }
    }
  }
}

/** What `scalegateFunction` needs beyond the common props. */
export interface FunctionSpec {
  readonly name: string;
  readonly prefix: string;
  readonly policy: PolicyJson;
  readonly memorySize: number;
  readonly timeout: cdk.Duration;
  readonly environment?: Record<string, string>;
  /** For a scheduled function: no invocation in `period` is the alarm. */
  readonly silence?: { readonly description: string; readonly period: cdk.Duration };
}

/** A scalegate function and what comes with it. */
export interface ScalegateFunctionParts {
  readonly fn: lambda.Function;
  readonly alias: lambda.Alias;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/** The function's code from the props: `code`, else `packagePath`; one is required. */
function codeOf(props: ScalegateCommonProps): lambda.Code {
  if (props.code) return props.code;
  if (props.packagePath) return lambda.Code.fromAsset(path.resolve(props.packagePath));
  throw new Error("code (lambda.Code) or packagePath (the function's zip from `make build`) is required");
}

/** The function, its role and log group, and its `live` alias (what event sources invoke). */
export function scalegateFunction(scope: Construct, props: ScalegateCommonProps, spec: FunctionSpec): ScalegateFunctionParts {
  if (!spec.name.startsWith(spec.prefix)) {
    throw new Error(`name must start with ${spec.prefix} (its bundled policy from policies/roles/ scopes to it)`);
  }
  checkEnvironmentSize(spec.name, spec.environment ?? {});
  // IAM names are global to the account: the region in the role's name lets one app deploy to several regions.
  const role = new iam.Role(scope, "Role", {
    roleName: `${spec.name}-${cdk.Stack.of(scope).region}`,
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    inlinePolicies: { [spec.name]: iam.PolicyDocument.fromJson(spec.policy) },
  });
  cdk.Aspects.of(role).add(new AcknowledgeWildcards(
    "This inline policy is policies/roles/<function>.json, which scalegate's own separation-of-duties audit proves cannot deploy, touch data or grant IAM (make test). " +
      "Its wildcards: calls that take no resource ARN (EC2 and Auto Scaling Describe, CloudWatch metrics, iam:GetAccountAuthorizationDetails); logs and the function's own " +
      "queues by its name prefix; resources the function cannot know in advance (lifecycle actions of the groups it serves — the named ones for the launch gate, " +
      "every group hooked to it for the drain — the depth of any work queue the backlog pairs name, instances whose lease tag it reads); tag and protection " +
      "changes limited by condition to groups tagged scalegate:leases=true.",
    true,
  ));
  const logGroup = new logs.LogGroup(scope, "Logs", {
    logGroupName: `/aws/lambda/${spec.name}`,
    retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
  });
  const fn = new lambda.Function(scope, "Function", {
    functionName: spec.name,
    role,
    code: codeOf(props),
    handler: "bootstrap",
    runtime: lambda.Runtime.PROVIDED_AL2023,
    architecture: props.architecture ?? lambda.Architecture.X86_64,
    memorySize: spec.memorySize,
    timeout: spec.timeout,
    environment: spec.environment ?? {},
    logGroup,
  });
  // Every deploy that changes the function publishes a version; event sources invoke the `live` alias, never
  // $LATEST, so rolling the code back is pointing the alias at the previous version.
  const alias = new lambda.Alias(scope, "Live", { aliasName: "live", version: fn.currentVersion });
  // Throttled invocations mean events wait (or, for a schedule, runs are lost): 2 of 3 minutes, not one blip.
  new cw.Alarm(scope, "ThrottlesAlarm", {
    alarmName: `${spec.name}-throttles`,
    alarmDescription: `${spec.name} is being throttled: raise its reserved concurrency or the account's Lambda concurrency.`,
    metric: fn.metricThrottles({ period: cdk.Duration.minutes(1), statistic: "Sum" }),
    threshold: 0,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  // Silence: for a scheduled function, no invocation in the period is the alarm (missing data breaches).
  if (spec.silence) {
    new cw.Alarm(scope, "SilenceAlarm", {
      alarmName: `${spec.name}-silent`,
      alarmDescription: spec.silence.description,
      metric: fn.metricInvocations({ period: spec.silence.period, statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });
  }
  return { fn, alias, role, logGroup };
}

/** Lambda refuses a function whose environment (every key and value) exceeds 4 KB: fail at synth, not at deploy. */
export const ENVIRONMENT_LIMIT = 4096;
// What constructs add after the function exists (queue URLs and document locations, resolved at deploy time).
const ADDED_LATER = 512;

function checkEnvironmentSize(name: string, environment: Record<string, string>): void {
  const size = Object.entries(environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (size + ADDED_LATER > ENVIRONMENT_LIMIT) {
    const sizes = Object.entries(environment).map(([k, v]) => `${k} ${Buffer.byteLength(String(v))} B`).join(", ");
    throw new Error(
      `${name}: its environment would be ${size} B (${sizes}); Lambda allows 4 KB for all variables together ` +
        `(${ADDED_LATER} B kept for values added at deploy). Documents belong in the configuration bucket.`,
    );
  }
}

/** A duration as the functions read it (`90s`): whole seconds, at least one. */
export function seconds(setting: string, d: cdk.Duration): string {
  const ms = d.toMilliseconds();
  if (ms % 1000 !== 0 || ms < 1000) throw new Error(`${setting} must be a whole number of seconds, at least 1 (got ${d.toHumanString()})`);
  return `${ms / 1000}s`;
}

/**
 * The versioned bucket a function's configuration document lives in: `bucket` when given, else a new one named
 * `<name, cut to 20>-<hash>-config-<account>-<region>` (at most 63 characters, the form the built-in duties exempt for
 * reading), TLS only, public access blocked, the last 20 old versions kept, retained when the stack goes.
 */
export function configBucket(scope: Construct, name: string, bucket?: s3.IBucket): s3.IBucket {
  if (bucket) return bucket;
  const stack = cdk.Stack.of(scope);
  const hash = crypto.createHash("sha1").update(name).digest("hex").slice(0, 7);
  const created = new s3.Bucket(scope, "ConfigBucket", {
    // As Terraform names it: the name cut to 20 characters and a hash of all of it, so deployments whose names share
    // a prefix stay apart; at most 63 characters.
    bucketName: `${name.slice(0, 20)}-${hash}-config-${stack.account}-${stack.region}`,
    versioned: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // The documents' history is the rollback path: a stack deletion keeps it.
    removalPolicy: cdk.RemovalPolicy.RETAIN,
    lifecycleRules: [{ noncurrentVersionExpiration: cdk.Duration.days(90), noncurrentVersionsToRetain: 20 }],
  });
  cdk.Validations.of(created).acknowledge({
    id: "AwsSolutions::AwsSolutions-S1",
    reason:
      "The bucket holds a few small configuration documents whose every version is kept (the rollback history); who changed them is in CloudTrail. " +
      "Access logs would need a second bucket per deployment for no added record.",
  });
  return created;
}

/** Scopes a role policy's ReadConfigDocument and ListConfigVersions statements (the policy file's patterns) to one
 * object and its bucket exactly. */
export function scopeConfigRead(policy: PolicyJson, bucket: s3.IBucket, key: string): PolicyJson {
  for (const statement of policy.Statement) {
    if (statement.Sid === "ReadConfigDocument") statement.Resource = bucket.arnForObjects(key);
    if (statement.Sid === "ListConfigVersions") statement.Resource = bucket.bucketArn;
  }
  return policy;
}

/** What `configDocument` writes and for whom. */
export interface ConfigDocumentSpec {
  readonly name: string;
  readonly fn: lambda.Function;
  readonly setting: string;
  readonly key: string;
  readonly content: string;
  readonly bucket: s3.IBucket;
}

/** Acknowledges what cdk-nag finds in CDK's own BucketDeployment handler (a singleton at the stack's root). */
function acknowledgeDeploymentHandler(scope: Construct): void {
  const stack = cdk.Stack.of(scope);
  const handler = stack.node.children.find((c) => c.node.id.startsWith("Custom::CDKBucketDeployment"));
  if (!handler || ACKNOWLEDGED_HANDLERS.has(handler)) return;
  ACKNOWLEDGED_HANDLERS.add(handler);
  const basicExecution = "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]";
  const basicExecutionReason = "CDK's BucketDeployment handler writes its logs with AWSLambdaBasicExecutionRole, as aws-cdk-lib builds it.";
  cdk.Validations.of(handler).acknowledge(
    { id: "AwsSolutions::AwsSolutions-L1", reason: "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib and moves with it." },
    { id: basicExecution, reason: basicExecutionReason },
  );
  for (const child of handler.node.findAll()) {
    if (child instanceof iam.CfnRole || child instanceof iam.CfnPolicy) {
      cdk.Validations.of(child).acknowledge({ id: basicExecution, reason: basicExecutionReason });
    }
  }
  cdk.Aspects.of(handler).add(new AcknowledgeWildcards(
    "CDK's BucketDeployment handler copies the documents from the CDK asset bucket into the configuration buckets; aws-cdk-lib scopes it to those buckets.",
  ));
}

/**
 * A configuration document the function reads while it runs: `content` written to `bucket` as `key` (the function
 * starts only after it is there), named to the function in `setting` (SCALEGATE_*_S3), with alarms when the function
 * rejects a version or cannot read it. The function re-reads within SCALEGATE_CONFIG_MAX_AGE (2 s);
 * `scalegate config push/history/rollback` manage versions between deploys. Returns the document's s3:// location.
 */
export function configDocument(scope: Construct, spec: ConfigDocumentSpec): string {
  const deployment = new s3deploy.BucketDeployment(scope, "ConfigDocument", {
    destinationBucket: spec.bucket,
    sources: [s3deploy.Source.data(spec.key, spec.content)],
    prune: false,
    retainOnDelete: true,
    contentType: "application/toml",
  });
  spec.fn.node.addDependency(deployment);
  acknowledgeDeploymentHandler(scope);
  const location = `s3://${spec.bucket.bucketName}/${spec.key}`;
  spec.fn.addEnvironment(spec.setting, location);
  const metric = (metricName: string) =>
    new cw.Metric({
      namespace: "scalegate",
      metricName,
      dimensionsMap: { Document: location },
      statistic: "Sum",
      period: cdk.Duration.minutes(5),
    });
  aboveZero(scope, "ConfigRejectedAlarm", `${spec.name}-config-rejected`,
    `${spec.name} rejected the current version of its configuration document: it keeps deciding with the last good version. Its log line "config rejected" names the version and the error; fix and push again, or \`scalegate config rollback\`.`,
    metric("ConfigRejected"));
  // Functions look only when invoked, so one error in 5 minutes counts.
  aboveZero(scope, "ConfigUnreadableAlarm", `${spec.name}-config-unreadable`,
    `${spec.name} could not read its configuration document and keeps its last good version: check the object, the bucket policy and the role's s3:GetObject.`,
    metric("ConfigFetchErrors"));
  return location;
}

/** An EventBridge rule (schedule or event pattern) that invokes `fn` (a function's live alias). */
export function invokeOn(scope: Construct, id: string, fn: lambda.IFunction, rule: events.RuleProps, deadLetters: sqs.IQueue): events.Rule {
  return new events.Rule(scope, id, { ...rule, targets: [new targets.LambdaFunction(fn, { deadLetterQueue: deadLetters })] });
}

/**
 * Where EventBridge puts the events it could not deliver to a function's rules (the function throttled or gone past
 * EventBridge's retries), alarmed when it holds anything: a schedule that silently stopped reaching its function
 * shows here before the silence alarm.
 */
export function ruleDeadLetters(scope: Construct, name: string): sqs.Queue {
  const queue = new sqs.Queue(scope, "RulesDeadLetters", {
    queueName: `${name}-rules-dlq`,
    retentionPeriod: cdk.Duration.days(14),
    enforceSSL: true,
  });
  cdk.Validations.of(queue).acknowledge({
    id: "AwsSolutions::AwsSolutions-SQS3",
    reason: "This queue is itself a dead-letter queue: the EventBridge targets' (cdk-nag recognizes only queues' redrive policies).",
  });
  aboveZero(scope, "RulesDeadLettersAlarm", `${name}-rules-dead-letters`,
    `EventBridge could not deliver events to ${name} (throttled past its retries, or no permission): see ${name}-rules-dlq, each message carries the error.`,
    queue.metricApproximateNumberOfMessagesVisible({ period: cdk.Duration.minutes(1), statistic: "Maximum" }));
  return queue;
}

/** An alarm when a metric goes above zero. */
export function aboveZero(scope: Construct, id: string, alarmName: string, alarmDescription: string, metric: cw.IMetric): cw.Alarm {
  return new cw.Alarm(scope, id, {
    alarmName,
    alarmDescription,
    metric,
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
}

/** A metric scalegate publishes in its `scalegate` namespace. */
export function scalegateMetric(metricName: string, dimensionsMap: Record<string, string>, options: cw.MetricOptions = {}): cw.Metric {
  return new cw.Metric({ namespace: "scalegate", metricName, dimensionsMap, period: cdk.Duration.minutes(1), ...options });
}

/** Group names from the two ways a construct takes groups: constructs and names. */
export function groupNames(groups?: autoscaling.IAutoScalingGroup[], names?: string[]): string[] {
  // EventBridge's lifecycle events carry the group's name: an ARN would match nothing, and launches would ABANDON.
  const arn = (names ?? []).find((n) => !cdk.Token.isUnresolved(n) && n.startsWith("arn:"));
  if (arn) throw new Error(`autoScalingGroupNames takes group names, not ARNs (got ${arn})`);
  return [...(groups ?? []).map((g) => g.autoScalingGroupName), ...(names ?? [])];
}

/** How `fn` receives one lifecycle transition. */
export interface LifecycleActionsSpec {
  readonly name: string;
  readonly ruleId: string;
  readonly transition: string;
  /** The groups whose actions the rule matches; none: any group whose hook is named `name` (opt in by hook name). */
  readonly groups: string[];
  readonly fn: lambda.IFunction;
  readonly visibilityTimeout: cdk.Duration;
  readonly createHooks?: boolean;
  readonly heartbeatTimeout: cdk.Duration;
  readonly defaultResult: string;
  readonly deadLettersDescription: string;
  readonly oldestMessageSeconds?: number;
}

/**
 * How `fn` receives one lifecycle transition of some groups: an EventBridge rule → an SQS queue (with an alarmed
 * dead-letter queue) → `fn`, reporting partial batch failures; and a hook per named group unless `createHooks` is
 * false. The constructs go straight into `scope`, under the ids the launch gate has always used.
 */
export function lifecycleActions(scope: Construct, spec: LifecycleActionsSpec): { queue: sqs.Queue; deadLetters: sqs.Queue } {
  const deadLetters = new sqs.Queue(scope, "DeadLetters", {
    queueName: `${spec.name}-dlq`,
    retentionPeriod: cdk.Duration.days(14),
    enforceSSL: true,
  });
  const queue = new sqs.Queue(scope, "Events", {
    queueName: `${spec.name}-events`,
    enforceSSL: true,
    visibilityTimeout: spec.visibilityTimeout,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
  // Only this hook's actions: another tool's hook on the same group is not ours to complete. Without named groups,
  // naming a hook after the function is how a group opts in.
  const detail: Record<string, string[]> = { LifecycleHookName: [spec.name] };
  if (spec.groups.length > 0) detail.AutoScalingGroupName = spec.groups;
  new events.Rule(scope, spec.ruleId, {
    ruleName: spec.name,
    eventPattern: { source: ["aws.autoscaling"], detailType: [DETAIL_TYPES[spec.transition]], detail },
    // An event EventBridge cannot deliver lands in the dead-letter queue (the dead-letters alarm sees it).
    targets: [new targets.SqsQueue(queue, { deadLetterQueue: deadLetters })],
  });
  spec.fn.addEventSource(new sources.SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
  if (spec.createHooks ?? true) {
    spec.groups.forEach((group, i) => {
      new autoscaling.CfnLifecycleHook(scope, cdk.Token.isUnresolved(group) ? `Hook${i}` : `Hook-${group}`, {
        autoScalingGroupName: group,
        lifecycleHookName: spec.name,
        lifecycleTransition: spec.transition,
        heartbeatTimeout: spec.heartbeatTimeout.toSeconds(),
        defaultResult: spec.defaultResult,
      });
    });
  }
  aboveZero(scope, "DeadLettersAlarm", `${spec.name}-dead-letters`, spec.deadLettersDescription,
    deadLetters.metricApproximateNumberOfMessagesVisible({ period: cdk.Duration.minutes(1), statistic: "Maximum" }));
  const oldest = spec.oldestMessageSeconds ?? 120;
  new cw.Alarm(scope, "QueueAgeAlarm", {
    alarmName: `${spec.name}-queue-age`,
    alarmDescription: `Lifecycle actions have waited over ${oldest} s in ${spec.name}-events: the function is not keeping up or not running, and hooks will time out to their default result.`,
    metric: queue.metricApproximateAgeOfOldestMessage({ period: cdk.Duration.minutes(1), statistic: "Maximum" }),
    threshold: oldest,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  return { queue, deadLetters };
}

/** A lifecycle hook as a group declares it inline (created with the group, before its first launch). */
export function hookSpecification(name: string, transition: string, defaultResult: string, heartbeat: cdk.Duration): autoscaling.CfnAutoScalingGroup.LifecycleHookSpecificationProperty {
  return { lifecycleHookName: name, lifecycleTransition: transition, defaultResult, heartbeatTimeout: heartbeat.toSeconds() };
}
