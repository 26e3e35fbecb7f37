// Backlog per instance as a CDK construct: the same resources as infra/terraform/backlog.tf.
const cdk = require("aws-cdk-lib");
const {
  ScalegateConstruct, ruleDeadLetters, configBucket, configDocument, scopeConfigRead, rolePolicy, scalegateFunction, invokeOn, aboveZero,
} = require("./scalegate-function");

class BacklogMetric extends ScalegateConstruct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{packagePath: string, configToml: string, name?: string, configBucket?: cdk.aws_s3.IBucket}} props
   *   configToml: the pairs, written to the configuration bucket as backlog-pairs.toml (any number of pairs).
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-backlog-metric";
    if (!props.configToml || !props.configToml.includes("[[pair]]")) {
      throw new Error("configToml must list at least one [[pair]] (queue, group, latency, seconds_per_message)");
    }
    this.configBucket = configBucket(this, name, props.configBucket);
    ({ fn: this.function, alias: this.alias } = scalegateFunction(this, {
      name,
      prefix: "scalegate-backlog-metric",
      policy: scopeConfigRead(rolePolicy("scalegate-backlog-metric.json"), this.configBucket, "backlog-pairs.toml"),
      packagePath: props.packagePath,
      memorySize: 256,
      timeout: cdk.Duration.seconds(30),
      silence: {
        description: "The backlog-metric function has not run for 5 minutes: BacklogPerInstance is not being published and target tracking holds the group where it is (check its schedule rule and its start-up log).",
        period: cdk.Duration.minutes(5),
      },
    }));
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
    this.tickQueue = new cdk.aws_sqs.Queue(this, "Ticks", {
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
    this.alias.addEventSource(new cdk.aws_lambda_event_sources.SqsEventSource(this.tickQueue, { batchSize: 10 }));
    this.rulesDeadLetters = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      schedule: cdk.aws_events.Schedule.rate(cdk.Duration.minutes(1)),
    }, this.rulesDeadLetters);
    aboveZero(this, "Errors", `${name}-errors`,
      "backlog-metric could not publish for some pair: target tracking is scaling on stale data.",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
    this.notify(props);
  }
}

module.exports = { BacklogMetric };
