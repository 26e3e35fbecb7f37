//! A `terraform show -json` plan. Values not known until apply are absent from `planned_values`; they count as
//! wildcards: an unknown document as `Allow *`, an unknown role reference as every role. References in the
//! configuration tie attachments to the resources they name when the values themselves are unknown.

use super::{bare_role, document, unknown_policy, Loaded, SourceError};
use crate::iam::policy::PolicyDocument;
use crate::iam::reasoner::AttachedPolicy;
use serde_json::Value;
use std::collections::HashMap;

const INPUT: &str = "terraform plan";

/// One resource of the plan: its address, type, planned values and the references its configuration makes.
struct Resource<'a> {
    address: String,
    kind: &'a str,
    values: &'a Value,
    references: HashMap<&'a str, Vec<&'a str>>,
}

impl Resource<'_> {
    fn known(&self, field: &str) -> Option<&str> {
        self.values.get(field).and_then(Value::as_str)
    }

    /// The address of a resource of type `kind` that `field`'s expression refers to.
    fn refers_to(&self, field: &str, kind: &str) -> Option<String> {
        let prefix = self.address.rsplit_once(&format!("{}.", self.kind)).map(|(m, _)| m).unwrap_or("");
        self.references.get(field)?.iter().find_map(|r| {
            let r = r.strip_prefix(prefix).unwrap_or(r);
            let mut parts = r.split('.');
            (parts.next() == Some(kind)).then(|| format!("{prefix}{kind}.{}", parts.next().unwrap_or("")))
        })
    }
}

/// Reads a plan from `terraform show -json PLANFILE`.
pub fn terraform_plan(v: &Value) -> Result<Loaded, SourceError> {
    let Some(root) = v.pointer("/planned_values/root_module") else {
        return Err(SourceError::Shape {
            input: INPUT,
            at: "(top level)".into(),
            problem: "no `planned_values.root_module`: expected the output of `terraform show -json PLANFILE`".into(),
        });
    };
    let mut references = HashMap::new();
    if let Some(config) = v.pointer("/configuration/root_module") {
        collect_references(config, "", &mut references);
    }
    let mut resources = Vec::new();
    collect_resources(root, &references, &mut resources);
    let mut loaded = Loaded::default();

    // Managed policies by address and (when known) ARN.
    let mut policies: HashMap<String, (String, Option<PolicyDocument>)> = HashMap::new();
    for r in resources.iter().filter(|r| r.kind == "aws_iam_policy") {
        let name = r.known("name").unwrap_or(&r.address).to_string();
        let doc = policy_document(r, "policy")?;
        if let Some(arn) = r.known("arn") {
            policies.insert(arn.to_string(), (name.clone(), doc.clone()));
        }
        policies.insert(r.address.clone(), (name, doc));
    }
    let lookup = |r: &Resource, field: &str| -> Option<(String, Option<PolicyDocument>)> {
        let key = r.known(field).map(str::to_string).or_else(|| r.refers_to(field, "aws_iam_policy"))?;
        policies.get(&key).cloned()
    };

    let mut by_address: HashMap<String, usize> = HashMap::new();
    for r in resources.iter().filter(|r| r.kind == "aws_iam_role") {
        let name = r.known("name").unwrap_or(&r.address);
        let arn = match r.known("arn") {
            Some(arn) => arn.to_string(),
            None => format!("arn:aws:iam::*:role{}{}", r.known("path").unwrap_or("/"), r.known("name").unwrap_or("*")),
        };
        let trust = policy_document(r, "assume_role_policy")?;
        let mut role = bare_role(name, arn, trust);
        for (i, p) in r.values.get("inline_policy").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let policy_name =
                p.get("name").and_then(Value::as_str).map(str::to_string).unwrap_or(format!("inline_policy[{i}]"));
            role.identity.push(match p.get("policy").filter(|d| d.as_str().is_some_and(|s| !s.is_empty())) {
                Some(d) => AttachedPolicy {
                    document: document(d, INPUT, || format!("{}: {policy_name}", r.address))?,
                    name: policy_name,
                },
                None => unknown_policy(&format!("{}: {policy_name}", r.address)),
            });
        }
        for arn in r
            .values
            .get("managed_policy_arns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            role.identity.push(attached(arn, policies.get(arn).cloned(), &mut loaded.warnings, name));
        }
        if let Some(boundary) = r.known("permissions_boundary").filter(|b| !b.is_empty()) {
            match policies.get(boundary) {
                Some((_, Some(doc))) => {
                    role.boundary = Some(AttachedPolicy { name: boundary.to_string(), document: doc.clone() })
                }
                _ => loaded
                    .warnings
                    .push(format!("{}: permissions boundary {boundary} not in the plan; counted as none", r.address)),
            }
        }
        by_address.insert(r.address.clone(), loaded.inventory.roles.len());
        loaded.inventory.roles.push(role);
    }
    // Which roles an attachment's `role` (or `roles`) names; unknown means every role.
    let targets = |r: &Resource, roles: &[crate::iam::RolePolicies]| -> Vec<usize> {
        let names: Vec<&str> = match (r.known("role"), r.values.get("roles").and_then(Value::as_array)) {
            (Some(n), _) => vec![n],
            (None, Some(list)) => list.iter().filter_map(Value::as_str).collect(),
            (None, None) => match r.refers_to("role", "aws_iam_role").and_then(|a| by_address.get(&a)) {
                Some(&i) => return vec![i],
                None => return (0..roles.len()).collect(),
            },
        };
        (0..roles.len()).filter(|&i| names.iter().any(|n| *n == roles[i].name || *n == roles[i].arn)).collect()
    };
    for r in &resources {
        let (policy, what) = match r.kind {
            "aws_iam_role_policy" => {
                let name = r.known("name").unwrap_or(&r.address).to_string();
                let policy = match policy_document(r, "policy")? {
                    Some(document) => AttachedPolicy { name, document },
                    None => unknown_policy(&r.address),
                };
                (policy, "inline policy")
            }
            "aws_iam_role_policy_attachment" | "aws_iam_policy_attachment" => {
                let arn = r.known("policy_arn").unwrap_or(&r.address).to_string();
                (attached(&arn, lookup(r, "policy_arn"), &mut loaded.warnings, &r.address), "attachment")
            }
            _ => continue,
        };
        let to = targets(r, &loaded.inventory.roles);
        if to.is_empty() {
            loaded.warnings.push(format!("{}: {what} names no role in the plan; ignored", r.address));
        }
        for i in to {
            loaded.inventory.roles[i].identity.push(policy.clone());
        }
    }
    Ok(loaded)
}

/// A managed policy attachment; its document when the plan holds it, otherwise `Allow *`.
fn attached(
    arn: &str,
    found: Option<(String, Option<PolicyDocument>)>,
    warnings: &mut Vec<String>,
    role: &str,
) -> AttachedPolicy {
    match found {
        Some((_, Some(document))) => AttachedPolicy { name: arn.to_string(), document },
        _ => {
            warnings.push(format!(
                "{role}: managed policy {arn} is not in the plan (or unknown until apply); counted as Allow *"
            ));
            unknown_policy(arn)
        }
    }
}

/// A JSON policy string attribute: `None` when unknown until apply.
fn policy_document(r: &Resource, field: &str) -> Result<Option<PolicyDocument>, SourceError> {
    match r.values.get(field) {
        Some(Value::String(s)) if !s.is_empty() => {
            Ok(Some(document(&r.values[field], INPUT, || format!("{}: {field}", r.address))?))
        }
        _ => Ok(None),
    }
}

fn collect_resources<'a>(
    module: &'a Value,
    refs: &HashMap<String, HashMap<&'a str, Vec<&'a str>>>,
    out: &mut Vec<Resource<'a>>,
) {
    for r in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        if r.get("mode").and_then(Value::as_str) == Some("data") {
            continue;
        }
        let (Some(address), Some(kind)) =
            (r.get("address").and_then(Value::as_str), r.get("type").and_then(Value::as_str))
        else {
            continue;
        };
        // Counted and for_each instances (of resources and of modules) share their configuration's references.
        let config_address = without_indexes(address);
        out.push(Resource {
            address: address.to_string(),
            kind,
            values: r.get("values").unwrap_or(&Value::Null),
            references: refs.get(&config_address).cloned().unwrap_or_default(),
        });
    }
    for child in module.get("child_modules").and_then(Value::as_array).into_iter().flatten() {
        collect_resources(child, refs, out);
    }
}

fn collect_references<'a>(module: &'a Value, prefix: &str, out: &mut HashMap<String, HashMap<&'a str, Vec<&'a str>>>) {
    for r in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        let Some(address) = r.get("address").and_then(Value::as_str) else { continue };
        let mut fields = HashMap::new();
        for (field, expr) in r.get("expressions").and_then(Value::as_object).into_iter().flatten() {
            let refs: Vec<&str> = expr
                .get("references")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if !refs.is_empty() {
                fields.insert(field.as_str(), refs);
            }
        }
        out.insert(format!("{prefix}{address}"), fields);
    }
    for (name, call) in module.get("module_calls").and_then(Value::as_object).into_iter().flatten() {
        if let Some(child) = call.get("module") {
            collect_references(child, &format!("{prefix}module.{name}."), out);
        }
    }
}

/// `module.a[0].aws_iam_role.r["x"]` → `module.a.aws_iam_role.r`: the address as the configuration names it.
fn without_indexes(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}
