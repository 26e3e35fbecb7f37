// The protection reaper as a CDK construct: the same resources as infra/terraform/reaper.tf.
const cdk = require("aws-cdk-lib");
const { ScalegateConstruct, ruleDeadLetters, rolePolicy, scalegateFunction, invokeOn, aboveZero } = require("./scalegate-function");

class ProtectionReaper extends ScalegateConstruct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{packagePath: string, name?: string, schedule?: string}} props
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-protection-reaper";
    ({ fn: this.function, alias: this.alias } = scalegateFunction(this, {
      name,
      prefix: "scalegate-protection-reaper",
      policy: rolePolicy("scalegate-protection-reaper.json"),
      packagePath: props.packagePath,
      memorySize: 256,
      timeout: cdk.Duration.minutes(2),
      silence: {
        description: "The protection reaper has not run for 5 minutes: expired leases may be pinning groups (check its schedule rule and its start-up log).",
        period: cdk.Duration.minutes(5),
      },
    }));
    this.rulesDeadLetters = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      schedule: cdk.aws_events.Schedule.expression(props.schedule ?? "rate(1 minute)"),
    }, this.rulesDeadLetters);
    aboveZero(this, "Errors", `${name}-errors`,
      "The protection reaper failed: expired leases may be pinning groups against scale-in.",
      this.function.metricErrors({ period: cdk.Duration.minutes(15) }));
    this.notify(props);
  }
}

module.exports = { ProtectionReaper };
