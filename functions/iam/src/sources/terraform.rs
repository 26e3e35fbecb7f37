//! A `terraform show -json` plan. Values not known until apply are absent from `planned_values`; they count as
//! wildcards: an unknown document as `Allow *`, an unknown role, user or group reference as every one of them.
//! References in the configuration tie attachments and memberships to the resources they name when the values
//! themselves are unknown.

use super::{attach_group_policies, bare_role, bare_user, document, unknown_policy, Loaded, SourceError};
use crate::policy::PolicyDocument;
use crate::reasoner::{AttachedPolicy, Group, Principal};
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

    /// The addresses of resources of type `kind` that `field`'s expression refers to.
    fn refers_to(&self, field: &str, kind: &str) -> Vec<String> {
        let prefix = self.address.rsplit_once(&format!("{}.", self.kind)).map(|(m, _)| m).unwrap_or("");
        let mut out: Vec<String> = self
            .references
            .get(field)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let r = r.strip_prefix(prefix).unwrap_or(r);
                let mut parts = r.split('.');
                (parts.next() == Some(kind)).then(|| format!("{prefix}{kind}.{}", parts.next().unwrap_or("")))
            })
            .collect();
        out.dedup();
        out
    }
}

/// What an attachment or membership can point at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Role,
    User,
    Group,
}

impl Target {
    fn resource(self) -> &'static str {
        match self {
            Target::Role => "aws_iam_role",
            Target::User => "aws_iam_user",
            Target::Group => "aws_iam_group",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Target::Role => "role",
            Target::User => "user",
            Target::Group => "group",
        }
    }
}

/// What a field naming roles, users or groups resolves to.
enum Named {
    /// These resources (indexes into principals or groups).
    These(Vec<usize>),
    /// The field is not set: nothing.
    Nothing,
    /// Unknown until apply and not traceable to a resource of the plan: any of them.
    Any,
}

/// Principals and groups built so far, with the addresses that made them.
struct Built {
    loaded: Loaded,
    principal_at: HashMap<String, usize>,
    group_at: HashMap<String, usize>,
}

impl Built {
    fn candidates(&self, target: Target) -> Vec<usize> {
        match target {
            Target::Group => (0..self.loaded.inventory.groups.len()).collect(),
            Target::Role | Target::User => {
                let kind = if target == Target::Role { crate::PrincipalKind::Role } else { crate::PrincipalKind::User };
                (0..self.loaded.inventory.principals.len())
                    .filter(|&i| self.loaded.inventory.principals[i].kind == kind)
                    .collect()
            }
        }
    }

    fn name_and_arn(&self, target: Target, i: usize) -> (&str, &str) {
        match target {
            Target::Group => (&self.loaded.inventory.groups[i].name, &self.loaded.inventory.groups[i].arn),
            _ => (&self.loaded.inventory.principals[i].name, &self.loaded.inventory.principals[i].arn),
        }
    }

    /// Resolves `field` of `r` (a single name or a list of names) to resources of `target`'s kind.
    fn named(&self, r: &Resource, field: &str, target: Target) -> Named {
        let names: Option<Vec<&str>> = match r.values.get(field) {
            Some(Value::Null) => return Named::Nothing,
            Some(Value::String(s)) => Some(vec![s.as_str()]),
            Some(Value::Array(list)) => Some(list.iter().filter_map(Value::as_str).collect()),
            _ => None,
        };
        let at = if target == Target::Group { &self.group_at } else { &self.principal_at };
        match names {
            Some(names) => Named::These(
                self.candidates(target)
                    .into_iter()
                    .filter(|&i| {
                        let (name, arn) = self.name_and_arn(target, i);
                        names.iter().any(|n| *n == name || *n == arn)
                    })
                    .collect(),
            ),
            None => {
                let found: Vec<usize> =
                    r.refers_to(field, target.resource()).iter().filter_map(|a| at.get(a).copied()).collect();
                if found.is_empty() {
                    Named::Any
                } else {
                    Named::These(found)
                }
            }
        }
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
    let mut built = Built { loaded: Loaded::default(), principal_at: HashMap::new(), group_at: HashMap::new() };

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
        let key = r.known(field).map(str::to_string).or_else(|| r.refers_to(field, "aws_iam_policy").pop())?;
        policies.get(&key).cloned()
    };

    for r in resources.iter().filter(|r| matches!(r.kind, "aws_iam_role" | "aws_iam_user" | "aws_iam_group")) {
        let name = r.known("name").unwrap_or(&r.address);
        let noun = r.kind.trim_start_matches("aws_iam_");
        let arn = match r.known("arn") {
            Some(arn) => arn.to_string(),
            None => {
                format!("arn:aws:iam::*:{noun}{}{}", r.known("path").unwrap_or("/"), r.known("name").unwrap_or("*"))
            }
        };
        if r.kind == "aws_iam_group" {
            built.group_at.insert(r.address.clone(), built.loaded.inventory.groups.len());
            built.loaded.inventory.groups.push(Group { name: name.to_string(), arn, policies: Vec::new() });
            continue;
        }
        let mut principal = if r.kind == "aws_iam_role" {
            bare_role(name, arn, policy_document(r, "assume_role_policy")?)
        } else {
            bare_user(name, arn)
        };
        for (i, p) in r.values.get("inline_policy").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let policy_name =
                p.get("name").and_then(Value::as_str).map(str::to_string).unwrap_or(format!("inline_policy[{i}]"));
            principal.identity.push(match p.get("policy").filter(|d| d.as_str().is_some_and(|s| !s.is_empty())) {
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
            principal.identity.push(attached(arn, policies.get(arn).cloned(), &mut built.loaded.warnings, name));
        }
        if let Some(boundary) = r.known("permissions_boundary").filter(|b| !b.is_empty()) {
            match policies.get(boundary) {
                Some((_, Some(doc))) => {
                    principal.boundary = Some(AttachedPolicy { name: boundary.to_string(), document: doc.clone() })
                }
                _ => built
                    .loaded
                    .warnings
                    .push(format!("{}: permissions boundary {boundary} not in the plan; counted as none", r.address)),
            }
        }
        built.principal_at.insert(r.address.clone(), built.loaded.inventory.principals.len());
        built.loaded.inventory.principals.push(principal);
    }

    for r in &resources {
        // The policy, and the fields that say whom it applies to.
        let (policy, fields): (AttachedPolicy, &[(&str, Target)]) = match r.kind {
            "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
                let name = r.known("name").unwrap_or(&r.address).to_string();
                let policy = match policy_document(r, "policy")? {
                    Some(document) => AttachedPolicy { name, document },
                    None => unknown_policy(&r.address),
                };
                (policy, single_target(r.kind))
            }
            "aws_iam_role_policy_attachment"
            | "aws_iam_user_policy_attachment"
            | "aws_iam_group_policy_attachment"
            | "aws_iam_policy_attachment" => {
                let arn = r.known("policy_arn").unwrap_or(&r.address).to_string();
                let policy = attached(&arn, lookup(r, "policy_arn"), &mut built.loaded.warnings, &r.address);
                let fields: &[(&str, Target)] = if r.kind == "aws_iam_policy_attachment" {
                    &[("roles", Target::Role), ("users", Target::User), ("groups", Target::Group)]
                } else {
                    single_target(r.kind)
                };
                (policy, fields)
            }
            _ => continue,
        };
        let mut applied = false;
        for &(field, target) in fields {
            let to = match built.named(r, field, target) {
                Named::These(to) => to,
                Named::Nothing => continue,
                Named::Any => {
                    built.loaded.warnings.push(format!(
                        "{}: `{field}` is unknown until apply; applied to every {} in the plan",
                        r.address,
                        target.noun()
                    ));
                    built.candidates(target)
                }
            };
            applied |= !to.is_empty();
            for i in to {
                match target {
                    Target::Group => built.loaded.inventory.groups[i].policies.push(policy.clone()),
                    _ => built.loaded.inventory.principals[i].identity.push(policy.clone()),
                }
            }
        }
        if !applied {
            built.loaded.warnings.push(format!("{}: names no role, user or group in the plan; ignored", r.address));
        }
    }

    // Memberships: a user's groups.
    for r in &resources {
        let (users, groups) = match r.kind {
            "aws_iam_group_membership" => {
                (built.named(r, "users", Target::User), built.named(r, "group", Target::Group))
            }
            "aws_iam_user_group_membership" => {
                (built.named(r, "user", Target::User), built.named(r, "groups", Target::Group))
            }
            _ => continue,
        };
        let users = match users {
            Named::These(users) => users,
            Named::Nothing => continue,
            Named::Any => built.candidates(Target::User),
        };
        let groups: Vec<String> = match groups {
            Named::These(groups) => groups.into_iter().map(|i| built.loaded.inventory.groups[i].name.clone()).collect(),
            Named::Nothing => continue,
            // A group not in the plan: attach_group_policies counts it as Allow *.
            Named::Any => vec![format!("(unknown until apply: {})", r.address)],
        };
        // Groups named literally but not in the plan join too: attach_group_policies counts them as Allow *.
        let field = if r.kind == "aws_iam_group_membership" { "group" } else { "groups" };
        let literal: Vec<String> = match r.values.get(field) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        };
        for i in users {
            let user: &mut Principal = &mut built.loaded.inventory.principals[i];
            for g in groups.iter().chain(&literal) {
                if !user.groups.contains(g) {
                    user.groups.push(g.clone());
                }
            }
        }
    }
    let mut loaded = built.loaded;
    attach_group_policies(&mut loaded);
    Ok(loaded)
}

/// The one field an inline policy or single attachment names its holder by.
fn single_target(kind: &str) -> &'static [(&'static str, Target)] {
    if kind.starts_with("aws_iam_user") {
        &[("user", Target::User)]
    } else if kind.starts_with("aws_iam_group") {
        &[("group", Target::Group)]
    } else {
        &[("role", Target::Role)]
    }
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
