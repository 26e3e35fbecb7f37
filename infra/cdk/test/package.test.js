// The library as a user installs it: `npm pack` output, unpacked away from this repository, synthesizes with the
// policies it bundles (aws-cdk-lib and constructs come from the user's app: here, this package's node_modules).
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");

const here = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));

test("aws-cdk-lib and constructs are peer dependencies, and the types ship with the code", () => {
  assert.ok(pkg.peerDependencies["aws-cdk-lib"] && pkg.peerDependencies.constructs, JSON.stringify(pkg.peerDependencies));
  assert.strictEqual(pkg.dependencies, undefined, "nothing the user's app must not choose itself");
  assert.ok(fs.existsSync(path.join(here, pkg.types)), pkg.types);
});

test("the packed library synthesizes on its own, reading only what it bundles", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-pack-"));
  // Scripts are skipped: `npm test` has just built lib/ and assets/.
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", out], { cwd: here, encoding: "utf8" }));
  const files = packed.files.map((f) => f.path);
  for (const want of ["lib/src/index.js", "lib/src/index.d.ts", "assets/roles/scalegate-launch-gate.json", "assets/gate.toml", "assets/duties.toml", "assets/dashboard.json"]) {
    assert.ok(files.includes(want), `${want} is not in the package: ${files.join(", ")}`);
  }
  assert.ok(!files.some((f) => f.startsWith("test/") || f.startsWith("lib/examples/")), "tests and examples stay out");
  execFileSync("tar", ["-xzf", path.join(out, packed.filename), "-C", out]);
  const app = path.join(out, "app.js");
  fs.writeFileSync(app, `
    const fs = require("fs"), os = require("os"), path = require("path");
    const cdk = require("aws-cdk-lib");
    const { LaunchGate, SodAudit, Dashboard } = require("./package");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-pack-code-"));
    fs.writeFileSync(path.join(dir, "bootstrap"), "");
    const stack = new cdk.Stack(new cdk.App(), "Packed", { env: { account: "123456789012", region: "us-east-1" } });
    new LaunchGate(stack, "Gate", { code: cdk.aws_lambda.Code.fromAsset(dir) });
    new SodAudit(stack, "Audit", { code: cdk.aws_lambda.Code.fromAsset(dir) });
    new Dashboard(stack, "Board");
    const t = cdk.assertions.Template.fromStack(stack).toJSON();
    console.log(Object.values(t.Resources).filter((r) => r.Type === "AWS::Lambda::Function").length);
  `);
  // A repository that is not there: the package may not read outside itself.
  const run = execFileSync(process.execPath, [app], { cwd: out, encoding: "utf8", env: { ...process.env, NODE_PATH: path.join(here, "node_modules") } });
  assert.ok(Number(run.trim().split("\n").pop()) >= 2, run);
  const compiled = fs.readdirSync(path.join(out, "package", "lib", "src")).filter((f) => f.endsWith(".js"))
    .map((f) => fs.readFileSync(path.join(out, "package", "lib", "src", f), "utf8")).join("\n");
  assert.ok(!/"\.\.", "\.\.", "\.\."/.test(compiled), "no path climbs out of the package");
});
