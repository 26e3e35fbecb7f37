// Copies what the constructs read at synthesis into the package (assets/): the role policies and trust documents,
// the default gate rules and duties, and the dashboard definition. Their single source stays in the repository's
// policies/ and infra/dashboard/; a packed or installed library never reads outside itself.
const fs = require("fs");
const path = require("path");

const here = path.join(__dirname, "..");
const repo = path.join(here, "..", "..");
const out = path.join(here, "assets");

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, "roles"), { recursive: true });
const roles = path.join(repo, "policies", "roles");
let count = 0;
for (const file of fs.readdirSync(roles).filter((f) => f.endsWith(".json"))) {
  fs.copyFileSync(path.join(roles, file), path.join(out, "roles", file));
  count++;
}
for (const [from, to] of [
  [path.join(repo, "policies", "gate.toml"), "gate.toml"],
  [path.join(repo, "policies", "duties.toml"), "duties.toml"],
  [path.join(repo, "policies", "worker-lease.json"), "worker-lease.json"],
  [path.join(repo, "infra", "dashboard", "dashboard.json"), "dashboard.json"],
]) {
  fs.copyFileSync(from, path.join(out, to));
  count++;
}
console.log(`bundled ${count} files into assets/`);
