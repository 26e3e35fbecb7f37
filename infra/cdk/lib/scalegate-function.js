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

/** BucketDeployment handlers (one per stack) whose findings are already acknowledged. */
const ACKNOWLEDGED_HANDLERS = new WeakSet();

/** How cdk-nag spells a (resolved) policy value in a finding's id: tokens as <Ref> and <Resource.Attribute>. */
function nagSpelling(v) {
  if (typeof v === "string") return v;
  if (v && v.Ref) return `<${v.Ref}>`;
  if (v && v["Fn::GetAtt"]) return `<${[].concat(v["Fn::GetAtt"]).join(".")}>`;
  if (v && v["Fn::Join"]) return v["Fn::Join"][1].map(nagSpelling).join(v["Fn::Join"][0]);
  return JSON.stringify(v);
}

/**
 * Acknowledges, with one reason, each AwsSolutions-IAM5 finding (a wildcard action or resource) of the IAM roles and
 * policies it visits. cdk-nag acknowledges findings one by one, and the statements are final only at synthesis, so
 * this runs as an aspect; a wildcard the reason does not explain must not be added to these roles.
 */
class AcknowledgeWildcards {
  constructor(reason, inlineOnly = false) {
    this.reason = reason;
    this.inlineOnly = inlineOnly;
  }

  visit(node) {
    // A role's inline policy only (for scalegate's roles, the policy file): a statement added later in code, which
    // lands in a separate policy, is not covered and fails cdk-nag until someone justifies it.
    const inlineOnly = this.inlineOnly;
    const documents = node instanceof iam.CfnRole
      ? (node.policies ?? []).map((p) => p.policyDocument)
      : node instanceof iam.CfnPolicy && !inlineOnly ? [node.policyDocument] : [];
    const stack = cdk.Stack.of(node);
    for (const document of documents) {
      for (const statement of [].concat(stack.resolve(document).Statement ?? [])) {
        for (const [kind, values] of [["Action", statement.Action], ["Resource", statement.Resource]]) {
          for (const value of [].concat(values ?? []).map(nagSpelling).filter((x) => x.includes("*"))) {
            cdk.Validations.of(node).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${kind}::${value}]`, reason: this.reason });
          }
        }
      }
    }
  }
}

/**
 * The function, its role and log group, and its `live` alias (what event sources invoke): `{ fn, alias }`.
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
  cdk.Aspects.of(role).add(new AcknowledgeWildcards(

      "This inline policy is policies/roles/<function>.json, which scalegate's own separation-of-duties audit proves cannot deploy, touch data or grant IAM (make test). " +
      "Its wildcards: calls that take no resource ARN (EC2 and Auto Scaling Describe, CloudWatch metrics, iam:GetAccountAuthorizationDetails); logs and the function's own " +
      "queues by its name prefix; resources the function cannot know in advance (lifecycle actions of the groups it serves — the named ones for the launch gate, " +
      "every group hooked to it for the drain — the depth of any work queue the backlog pairs name, instances whose lease tag it reads); tag and protection " +
      "changes limited by condition to groups tagged scalegate:leases=true.",
    true,
  ));
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
  // Every deploy that changes the function publishes a version; event sources invoke the `live` alias, never
  // $LATEST, so rolling the code back is pointing the alias at the previous version.
  const alias = new lambda.Alias(scope, "Live", { aliasName: "live", version: fn.currentVersion });
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
  return { fn, alias };
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
 * The versioned bucket a function's configuration document lives in: `bucket` when given, else a new one named
 * `<name, cut to 20>-<hash>-config-<account>-<region>` (at most 63 characters, the form the built-in duties exempt for
 * reading), TLS only, public access blocked, the last 20 old versions kept, retained when the stack goes.
 * @param {Construct} scope
 * @param {string} name
 * @param {s3.IBucket} [bucket]
 * @returns {s3.IBucket}
 */
function configBucket(scope, name, bucket) {
  if (bucket) return bucket;
  const stack = cdk.Stack.of(scope);
  const created = new s3.Bucket(scope, "ConfigBucket", {
    // As Terraform names it: the name cut to 20 characters and a hash of all of it, so deployments whose names share
    // a prefix stay apart; at most 63 characters.
    bucketName: `${name.slice(0, 20)}-${require("crypto").createHash("sha1").update(name).digest("hex").slice(0, 7)}-config-${stack.account}-${stack.region}`,
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
function scopeConfigRead(policy, bucket, key) {
  for (const statement of policy.Statement) {
    if (statement.Sid === "ReadConfigDocument") statement.Resource = bucket.arnForObjects(key);
    if (statement.Sid === "ListConfigVersions") statement.Resource = bucket.bucketArn;
  }
  return policy;
}

/**
 * A configuration document the function reads while it runs: `content` written to `bucket` as `key` (the function
 * starts only after it is there), named to the function in `setting` (SCALEGATE_*_S3), with alarms when the function
 * rejects a version or cannot read it. The function re-reads within SCALEGATE_CONFIG_MAX_AGE (2 s);
 * `scalegate config push/history/rollback` manage versions between deploys.
 * @param {Construct} scope
 * @param {{name: string, fn: lambda.Function, setting: string, key: string, content: string, bucket: s3.IBucket}} props
 * @returns {string} the document's s3:// location
 */
function configDocument(scope, props) {
  const deployment = new s3deploy.BucketDeployment(scope, "ConfigDocument", {
    destinationBucket: props.bucket,
    sources: [s3deploy.Source.data(props.key, props.content)],
    prune: false,
    retainOnDelete: true,
    contentType: "application/toml",
  });
  props.fn.node.addDependency(deployment);
  // The deployment's handler is a singleton CDK owns, at the stack's root: what it is flagged for is CDK's to fix.
  const stack = cdk.Stack.of(scope);
  const handler = stack.node.children.find((c) => c.node.id.startsWith("Custom::CDKBucketDeployment"));
  if (handler) {
    for (const [id, reason] of [
      ["AwsSolutions::AwsSolutions-L1", "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib and moves with it."],
      [
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "CDK's BucketDeployment handler writes its logs with AWSLambdaBasicExecutionRole, as aws-cdk-lib builds it.",
      ],
    ]) {
      cdk.Validations.of(handler).acknowledge({ id, reason });
    }
    for (const child of handler.node.findAll()) {
      if (child instanceof iam.CfnRole || child instanceof iam.CfnPolicy) {
        cdk.Validations.of(child).acknowledge({
          id: "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
          reason: "CDK's BucketDeployment handler writes its logs with AWSLambdaBasicExecutionRole, as aws-cdk-lib builds it.",
        });
      }
    }
    if (!ACKNOWLEDGED_HANDLERS.has(handler)) {
      ACKNOWLEDGED_HANDLERS.add(handler);
      cdk.Aspects.of(handler).add(new AcknowledgeWildcards(
        "CDK's BucketDeployment handler copies the documents from the CDK asset bucket into the configuration buckets; aws-cdk-lib scopes it to those buckets.",
      ));
    }
  }
  const location = `s3://${props.bucket.bucketName}/${props.key}`;
  props.fn.addEnvironment(props.setting, location);
  const metric = (metricName) =>
    new cw.Metric({
      namespace: "scalegate",
      metricName,
      dimensionsMap: { Document: location },
      statistic: "Sum",
      period: cdk.Duration.minutes(5),
    });
  aboveZero(scope, "ConfigRejectedAlarm", `${props.name}-config-rejected`,
    `${props.name} rejected the current version of its configuration document: it keeps deciding with the last good version. Its log line "config rejected" names the version and the error; fix and push again, or \`scalegate config rollback\`.`,
    metric("ConfigRejected"));
  // Functions look only when invoked, so one error in 5 minutes counts.
  aboveZero(scope, "ConfigUnreadableAlarm", `${props.name}-config-unreadable`,
    `${props.name} could not read its configuration document and keeps its last good version: check the object, the bucket policy and the role's s3:GetObject.`,
    metric("ConfigFetchErrors"));
  return location;
}

/** An EventBridge rule (schedule or event pattern) that invokes `fn` (a function's live alias). */
function invokeOn(scope, id, fn, rule, deadLetters) {
  return new events.Rule(scope, id, { ...rule, targets: [new targets.LambdaFunction(fn, { deadLetterQueue: deadLetters })] });
}

/**
 * Where EventBridge puts the events it could not deliver to a function's rules (the function throttled or gone past
 * EventBridge's retries), alarmed when it holds anything: a schedule that silently stopped reaching its function
 * shows here before the silence alarm.
 * @param {Construct} scope
 * @param {string} name the function's name
 * @returns {sqs.Queue}
 */
function ruleDeadLetters(scope, name) {
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
 * @param {{name: string, ruleId: string, transition: string, groups: string[], fn: lambda.IFunction,
 *          visibilityTimeout: cdk.Duration, createHooks?: boolean, heartbeatTimeout: number, defaultResult: string,
 *          deadLettersDescription: string}} props
 * @returns {{queue: sqs.Queue, deadLetters: sqs.Queue}}
 */
function lifecycleActions(scope, props) {
  const deadLetters = new sqs.Queue(scope, "DeadLetters", {
    queueName: `${props.name}-dlq`,
    retentionPeriod: cdk.Duration.days(14),
    enforceSSL: true,
  });
  const queue = new sqs.Queue(scope, "Events", {
    queueName: `${props.name}-events`,
    enforceSSL: true,
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
  new events.Rule(scope, props.ruleId, {
    ruleName: props.name,
    eventPattern: {
      source: ["aws.autoscaling"],
      detailType: [DETAIL_TYPES[props.transition]],
      // Only this hook's actions: another tool's hook on the same group is not ours to complete.
      detail: { AutoScalingGroupName: props.groups, LifecycleHookName: [props.name] },
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
  configBucket,
  configDocument,
  scopeConfigRead,
  rolePolicy,
  scalegateFunction,
  invokeOn,
  ruleDeadLetters,
  aboveZero,
  lifecycleActions,
  ENVIRONMENT_LIMIT,
};
