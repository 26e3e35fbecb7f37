// Synthesizes the sod-audit construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const { Match } = require("aws-cdk-lib/assertions");
const { synthesize, auditPasses } = require("./helpers");
const { SodAudit } = require("../lib/src/sod-audit");

const synth = () => synthesize((stack, dir) => new SodAudit(stack, "Sod", { packagePath: dir }));

test("runs on a schedule and on IAM changes, with one alarm per duty", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::Function", { FunctionName: "scalegate-sod-audit", Runtime: "provided.al2023" });
  t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 hour)" });
  t.hasResourceProperties("AWS::Events::Rule", {
    EventPattern: { source: ["aws.iam"], detail: { eventName: Match.arrayWith(["PutRolePolicy", "AttachRolePolicy"]) } },
  });
  for (const duty of ["scaling", "deploy"]) {
    t.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "SodViolations", Dimensions: [{ Name: "Duty", Value: duty }] });
  }
  t.hasResourceProperties("AWS::IAM::Role", {
    RoleName: "scalegate-sod-audit-us-east-1",
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: "iam:GetAccountAuthorizationDetails" })]) } }],
  });
});

test("its role passes scalegate's separation-of-duties audit", (t) => auditPasses(t, synth(), "scalegate-sod-audit-us-east-1"));
