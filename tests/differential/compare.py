"""`make differential`: scalegate against parliament, policy_sentry and cloudsplaining on the Allow-only AWS managed
policies of ../shared/corpora. Wherever one of them finds a granted action in a class, scalegate must say `may`
(otherwise this exits 1); where scalegate says `may` and they find nothing, the reason is reported.

Each tool is asked the same question: which actions does this policy allow? parliament and cloudsplaining expand
the policy against their action databases; policy_sentry expands `Action` wildcards. The classes are those of
policies/duties.toml. scalegate audits every policy as one role of a directory (not the whole account), so a role
that can run code as another role it cannot see is `may` through an escalation path.
"""
import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict


def tool_actions():
    import parliament
    from cloudsplaining.scan.policy_document import PolicyDocument
    from policy_sentry.analysis.expand import get_expanded_policy

    def parliament_allowed(doc):
        return {a.lower() for a in parliament.analyze_policy_string(json.dumps(doc)).get_allowed_actions(raise_exceptions=False)}

    def policy_sentry_allowed(doc):
        out = set()
        for s in as_list(get_expanded_policy(doc).get("Statement")):
            if s.get("Effect") == "Allow":
                out.update(a.lower() for a in as_list(s.get("Action")))
        return out

    def cloudsplaining_allowed(doc):
        return {a.lower() for a in PolicyDocument(doc).all_allowed_actions}

    return {"parliament": parliament_allowed, "policy_sentry": policy_sentry_allowed, "cloudsplaining": cloudsplaining_allowed}


def as_list(v):
    return v if isinstance(v, list) else ([] if v is None else [v])


def in_class(actions, patterns):
    return sorted(a for a in actions if any(fnmatch.fnmatchcase(a, p.lower()) for p in patterns))


def why_more(doc, witness):
    """Why scalegate says `may` where no tool found a granted action."""
    if witness["path"] == "escalation":
        hops = " -> ".join(h["via"] for h in witness["hops"]) or "policy edit"
        return f"escalation path ({hops})"
    stmt = next((s for i, s in enumerate(as_list(doc["Statement"])) if s.get("Sid", f"#{i}") == witness["statement"]), {})
    if "NotAction" in stmt:
        return "NotAction statement (grants every action not listed, new ones included)"
    if any("?" in a for a in as_list(stmt.get("Action"))):
        return "`?` wildcard"
    return "action pattern matches a class action missing from the tools' databases"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scalegate", required=True)
    ap.add_argument("--corpus", default="../shared/corpora/aws-managed-policies.jsonl")
    ap.add_argument("--duties", default="policies/duties.toml")
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        print(f"differential SKIPPED: {args.corpus} not found")
        return 0
    classes = tomllib.load(open(args.duties, "rb"))["classes"]
    entries = [json.loads(l) for l in open(args.corpus) if l.strip()]
    allow_only = [e for e in entries if all(s.get("Effect") == "Allow" for s in as_list(e["document"].get("Statement")))]
    print(f"differential: {len(allow_only)} Allow-only policies of {len(entries)}; classes {', '.join(classes)}")

    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(f"{tmp}/roles")
        names = {}
        for i, e in enumerate(allow_only):
            role = f"p{i:04d}"
            names[role] = e
            json.dump(e["document"], open(f"{tmp}/roles/{role}.json", "w"))
        duties = "[classes]\n" + "".join(f"{c} = {json.dumps(p)}\n" for c, p in classes.items())
        duties += f'[[duty]]\nname = "all"\nprincipals = ["*"]\nforbid = {json.dumps(list(classes))}\n'
        open(f"{tmp}/duties.toml", "w").write(duties)
        started = time.perf_counter()
        run = subprocess.run([args.scalegate, "audit", tmp, "--duties", f"{tmp}/duties.toml", "--format", "json"],
                             capture_output=True, text=True)
        took = time.perf_counter() - started
        if run.returncode not in (0, 1):
            print(run.stderr)
            return 2
        report = json.loads(run.stdout)
    verdicts = {(c["principal"], c["class"]): c for c in report["checks"]}
    print(f"scalegate: {len(report['checks'])} checks in {took * 1000:.0f} ms")

    tools = tool_actions()
    missed = []
    more = Counter()
    examples = defaultdict(list)
    found_by = Counter()
    for role, e in names.items():
        granted = {}
        for tool, allowed in tools.items():
            try:
                granted[tool] = allowed(e["document"])
            except Exception as err:  # a tool that fails on a policy finds nothing in it
                granted[tool] = set()
                found_by[f"{tool} errors"] += 1
        for cls, patterns in classes.items():
            check = verdicts[(role, cls)]
            finders = {t: in_class(a, patterns) for t, a in granted.items() if in_class(a, patterns)}
            for t in finders:
                found_by[t] += 1
            if finders and check["verdict"] != "may":
                missed.append((e["name"], cls, {t: v[:3] for t, v in finders.items()}))
            if not finders and check["verdict"] == "may":
                reason = why_more(e["document"], check["witness"])
                more[reason] += 1
                if len(examples[reason]) < 3:
                    examples[reason].append(f"{e['name']} ({cls})")
    print("policy×class pairs where each tool finds a granted action:", dict(found_by))
    print(f"scalegate says `cannot` where a tool found a grant: {len(missed)}")
    for m in missed[:20]:
        print("  MISSED", m)
    print(f"scalegate says `may` where no tool found a grant: {sum(more.values())}")
    for reason, n in more.most_common():
        print(f"  {n:5}  {reason}: e.g. {', '.join(examples[reason])}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
