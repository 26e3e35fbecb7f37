// What every scalegate function has in common: its role from policies/roles/<name>.json, a log group, the Rust
// bootstrap on provided.al2023, optional schedules, and alarms on its errors, its throttles and (when scheduled) its
// silence.
const fs = require("fs");
const path = require("path");
const cdk = require("aws-cdk-lib");
const iam = cdk.aws_iam;
const lambda = cdk.aws_lambda;
const events = cdk.aws_events;
const targets = cdk.aws_events_targets;
const logs = cdk.aws_logs;
const cw = cdk.aws_cloudwatch;
const { Construct } = require("constructs");
const sqs = cdk.aws_sqs;
const sources = cdk.aws_lambda_event_sources;
const autoscaling = cdk.aws_autoscaling;
const s3 = cdk.aws_s3;
const s3deploy = cdk.aws_s3_deployment;

/**
 * What every scalegate construct offers: its alarms, and who they notify. `alarmActions` / `okActions` in the props
 * (e.g. `[new cdk.aws_cloudwatch_actions.SnsAction(topic)]`) reach every alarm; so do later `addAlarmAction` calls.
 */
class ScalegateConstruct extends Construct {
  /** Every CloudWatch alarm this construct created. */
  get alarms() {
    return this.node.findAll().filter((c) => c instanceof cw.Alarm);
  }

  /** Notifies these actions when any of the construct's alarms fires. */
  addAlarmAction(...actions) {
    for (const alarm of this.alarms) alarm.addAlarmAction(...actions);
  }

  /** Notifies these actions when any of the construct's alarms returns to OK. */
  addOkAction(...actions) {
    for (const alarm of this.alarms) alarm.addOkAction(...actions);
  }

  /** Applies `alarmActions` and `okActions` from the props; constructors call it last. */
  notify(props) {
    this.addAlarmAction(...(props.alarmActions ?? []));
    this.addOkAction(...(props.okActions ?? []));
  }
}

const DETAIL_TYPES = {
  "autoscaling:EC2_INSTANCE_LAUNCHING": "EC2 Instance-launch Lifecycle Action",
  "autoscaling:EC2_INSTANCE_TERMINATING": "EC2 Instance-terminate Lifecycle Action",
};

const repo = path.join(__dirname, "..", "..", "..");

/** Reads a policy from policies/roles/. */
function rolePolicy(file) {
  return JSON.parse(fs.readFileSync(path.join(repo, "policies", "roles", file), "utf8"));
}

/**
 * The function, its role and log group.
 * @param {import("constructs").Construct} scope
 * @param {{name: string, prefix: string, policy: object, packagePath: string, memorySize: number,
 *          timeout: cdk.Duration, environment?: Record<string, string>,
 *          silence?: {description: string, period: cdk.Duration}}} props
 */
function scalegateFunction(scope, props) {
  if (!props.name.startsWith(props.prefix)) {
    throw new Error(`name must start with ${props.prefix} (its policy in policies/roles/ scopes to it)`);
  }
  checkEnvironmentSize(props.name, props.environment ?? {});
  const role = new iam.Role(scope, "Role", {
    roleName: props.name,
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    inlinePolicies: { [props.name]: iam.PolicyDocument.fromJson(props.policy) },
  });
  const logGroup = new logs.LogGroup(scope, "Logs", {
    logGroupName: `/aws/lambda/${props.name}`,
    retention: logs.RetentionDays.ONE_MONTH,
  });
  const fn = new lambda.Function(scope, "Function", {
    functionName: props.name,
    role,
    code: lambda.Code.fromAsset(path.resolve(props.packagePath)),
    handler: "bootstrap",
    runtime: lambda.Runtime.PROVIDED_AL2023,
    architecture: lambda.Architecture.X86_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    environment: props.environment ?? {},
    logGroup,
  });
  // Throttled invocations mean events wait (or, for a schedule, runs are lost): 2 of 3 minutes, not one blip.
  new cw.Alarm(scope, "ThrottlesAlarm", {
    alarmName: `${props.name}-throttles`,
    alarmDescription: `${props.name} is being throttled: raise its reserved concurrency or the account's Lambda concurrency.`,
    metric: fn.metricThrottles({ period: cdk.Duration.minutes(1), statistic: "Sum" }),
    threshold: 0,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  // Silence: for a scheduled function, no invocation in the period is the alarm (missing data breaches).
  if (props.silence) {
    new cw.Alarm(scope, "SilenceAlarm", {
      alarmName: `${props.name}-silent`,
      alarmDescription: props.silence.description,
      metric: fn.metricInvocations({ period: props.silence.period, statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });
  }
  return fn;
}

/** Lambda refuses a function whose environment (every key and value) exceeds 4 KB: fail at synth, not at deploy. */
const ENVIRONMENT_LIMIT = 4096;
// What the drain adds after construction (its two queue URLs, resolved at deploy time).
const ADDED_LATER = 512;

function checkEnvironmentSize(name, environment) {
  const size = Object.entries(environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (size + ADDED_LATER > ENVIRONMENT_LIMIT) {
    const sizes = Object.entries(environment).map(([k, v]) => `${k} ${Buffer.byteLength(String(v))} B`).join(", ");
    throw new Error(
      `${name}: its environment would be ${size} B (${sizes}); Lambda allows 4 KB for all variables together ` +
        `(${ADDED_LATER} B kept for values added at deploy). Documents belong in the configuration bucket.`,
    );
  }
}

/**
 * A configuration document the function reads while it runs: an object in a versioned bucket (created here unless
 * `bucket` is given), named to the function in `setting` (SCALEGATE_*_S3), with alarms when the function rejects a
 * version or cannot read it. The bucket's name holds "-config-", which the built-in duties exempt from the data
 * class and the roles' ReadConfigDocument statement names. The function re-reads within SCALEGATE_CONFIG_MAX_AGE
 * (2 s); `scalegate config push/history/rollback` manage versions between deploys.
 * @param {Construct} scope
 * @param {{name: string, fn: lambda.Function, setting: string, key: string, content: string, bucket?: s3.IBucket}} props
 * @returns {{bucket: s3.IBucket, location: string}}
 */
function configDocument(scope, props) {
  const stack = cdk.Stack.of(scope);
  const bucket =
    props.bucket ??
    new s3.Bucket(scope, "ConfigBucket", {
      bucketName: `${props.name}-config-${stack.account}-${stack.region}`,
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // The documents' history is the rollback path: a stack deletion keeps it.
      removalPolicy: cdk.RemovalPolicy.RETAIN,
      lifecycleRules: [{ noncurrentVersionExpiration: cdk.Duration.days(90), noncurrentVersionsToRetain: 20 }],
    });
  new s3deploy.BucketDeployment(scope, "ConfigDocument", {
    destinationBucket: bucket,
    sources: [s3deploy.Source.data(props.key, props.content)],
    prune: false,
    retainOnDelete: true,
    contentType: "application/toml",
  });
  const location = `s3://${bucket.bucketName}/${props.key}`;
  props.fn.addEnvironment(props.setting, location);
  const metric = (metricName) =>
    new cw.Metric({
      namespace: "scalegate",
      metricName,
      dimensionsMap: { Document: location },
      statistic: "Sum",
      period: cdk.Duration.minutes(1),
    });
  aboveZero(scope, "ConfigRejectedAlarm", `${props.name}-config-rejected`,
    `${props.name} rejected the current version of its configuration document: it keeps deciding with the last good version. Its log line "config rejected" names the version and the error; fix and push again, or \`scalegate config rollback\`.`,
    metric("ConfigRejected"));
  new cw.Alarm(scope, "ConfigUnreadableAlarm", {
    alarmName: `${props.name}-config-unreadable`,
    alarmDescription: `${props.name} cannot read its configuration document and keeps its last good version: check the object, the bucket policy and the role's s3:GetObject.`,
    metric: metric("ConfigFetchErrors"),
    threshold: 0,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  return { bucket, location };
}

/** An EventBridge rule (schedule or event pattern) that invokes `fn`. */
function invokeOn(scope, id, fn, rule) {
  return new events.Rule(scope, id, { ...rule, targets: [new targets.LambdaFunction(fn)] });
}

/** An alarm when a metric goes above zero. */
function aboveZero(scope, id, alarmName, alarmDescription, metric) {
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

/**
 * How `fn` receives one lifecycle transition of some groups: an EventBridge rule → an SQS queue (with an alarmed
 * dead-letter queue) → `fn`, reporting partial batch failures; and a hook per group unless `createHooks` is false.
 * The constructs go straight into `scope`, under the ids the launch gate has always used.
 * @param {Construct} scope
 * @param {{name: string, ruleId: string, transition: string, groups: string[], fn: lambda.Function,
 *          visibilityTimeout: cdk.Duration, createHooks?: boolean, heartbeatTimeout: number, defaultResult: string,
 *          deadLettersDescription: string}} props
 * @returns {{queue: sqs.Queue, deadLetters: sqs.Queue}}
 */
function lifecycleActions(scope, props) {
  const deadLetters = new sqs.Queue(scope, "DeadLetters", {
    queueName: `${props.name}-dlq`,
    retentionPeriod: cdk.Duration.days(14),
  });
  const queue = new sqs.Queue(scope, "Events", {
    queueName: `${props.name}-events`,
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
  new events.Rule(scope, props.ruleId, {
    ruleName: props.name,
    eventPattern: {
      source: ["aws.autoscaling"],
      detailType: [DETAIL_TYPES[props.transition]],
      detail: { AutoScalingGroupName: props.groups },
    },
    // An event EventBridge cannot deliver lands in the dead-letter queue (the dead-letters alarm sees it).
    targets: [new targets.SqsQueue(queue, { deadLetterQueue: deadLetters })],
  });
  props.fn.addEventSource(new sources.SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
  if (props.createHooks ?? true) {
    for (const group of props.groups) {
      new autoscaling.CfnLifecycleHook(scope, `Hook-${group}`, {
        autoScalingGroupName: group,
        lifecycleHookName: props.name,
        lifecycleTransition: props.transition,
        heartbeatTimeout: props.heartbeatTimeout,
        defaultResult: props.defaultResult,
      });
    }
  }
  aboveZero(scope, "DeadLettersAlarm", `${props.name}-dead-letters`, props.deadLettersDescription,
    deadLetters.metricApproximateNumberOfMessagesVisible({ period: cdk.Duration.minutes(1), statistic: "Maximum" }));
  const oldest = props.oldestMessageSeconds ?? 120;
  new cw.Alarm(scope, "QueueAgeAlarm", {
    alarmName: `${props.name}-queue-age`,
    alarmDescription: `Lifecycle actions have waited over ${oldest} s in ${props.name}-events: the function is not keeping up or not running, and hooks will time out to their default result.`,
    metric: queue.metricApproximateAgeOfOldestMessage({ period: cdk.Duration.minutes(1), statistic: "Maximum" }),
    threshold: oldest,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  return { queue, deadLetters };
}

module.exports = {
  ScalegateConstruct,
  configDocument,
  rolePolicy,
  scalegateFunction,
  invokeOn,
  aboveZero,
  lifecycleActions,
  ENVIRONMENT_LIMIT,
};
