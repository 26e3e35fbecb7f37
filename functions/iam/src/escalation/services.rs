//! Service principals and the IAM actions of the same service: which actions start compute for a service, and
//! which service a principal name like `tasks.apprunner.amazonaws.com` stands for.

use crate::catalog::{AccessLevel, Catalog};
use crate::methods::{Yields, METHODS};
use crate::Pattern;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

/// The services whose compute a passed role may run under, with the actions that start it (any one is enough).
pub(super) fn compute_starts() -> &'static [(&'static str, Vec<Pattern>)] {
    static STARTS: OnceLock<Vec<(&'static str, Vec<Pattern>)>> = OnceLock::new();
    STARTS.get_or_init(|| {
        let mut by_service: Vec<(&'static str, Vec<Pattern>)> = Vec::new();
        for m in METHODS {
            if let Yields::PassRole(service) = m.yields {
                let starts = m.actions.iter().map(|a| Pattern::action(a));
                match by_service.iter_mut().find(|(s, _)| *s == service) {
                    Some((_, patterns)) => patterns.extend(starts),
                    None => by_service.push((service, starts.collect())),
                }
            }
        }
        by_service
    })
}

/// Is this service one whose start actions the table lists?
pub(super) fn is_modelled(service: &str) -> bool {
    compute_starts().iter().any(|(s, _)| s.eq_ignore_ascii_case(service))
}

/// The IAM action prefixes a service principal may stand for, among the services the catalog documents: each label
/// of the name before `.amazonaws.com`, and each label's first dash-separated part (`ecs-tasks` → `ecs`). Empty
/// when none is documented (the caller then cannot tell which actions belong to it).
pub(super) fn prefixes(service: &str) -> Vec<String> {
    let host = service.to_ascii_lowercase();
    let host = host.trim_end_matches(".amazonaws.com.cn").trim_end_matches(".amazonaws.com").to_string();
    let known = documented_prefixes();
    let mut out = Vec::new();
    for label in host.split('.') {
        let candidates = [label, label.split('-').next().unwrap_or(label)];
        let aliases = match label {
            "edgelambda" => Some("lambda"),
            "batchoperations" => Some("s3"),
            _ => None,
        };
        for c in candidates.into_iter().chain(aliases) {
            if known.contains(c) && !out.iter().any(|o: &String| o == c) {
                out.push(c.to_string());
            }
        }
    }
    out
}

fn documented_prefixes() -> &'static BTreeSet<String> {
    static PREFIXES: OnceLock<BTreeSet<String>> = OnceLock::new();
    PREFIXES.get_or_init(|| Catalog::builtin().services().map(str::to_string).collect())
}

/// The ARN namespace of resources a service's compute is (`ecs-tasks.amazonaws.com` → `ecs`), for
/// `iam:AssociatedResourceArn`.
pub(super) fn arn_namespace(service: &str) -> Option<String> {
    prefixes(service).into_iter().next()
}

/// The write-level (and permissions-management) actions the catalog documents for an action prefix, as patterns.
pub(super) fn write_actions(prefix: &str) -> &'static [Pattern] {
    static BY_PREFIX: OnceLock<HashMap<String, Vec<Pattern>>> = OnceLock::new();
    let table = BY_PREFIX.get_or_init(|| {
        let mut map: HashMap<String, Vec<Pattern>> = HashMap::new();
        for a in Catalog::builtin().actions() {
            if matches!(a.level, AccessLevel::Write | AccessLevel::PermissionsManagement) {
                let service = a.name.split(':').next().unwrap_or("").to_ascii_lowercase();
                map.entry(service).or_default().push(Pattern::action(&a.name));
            }
        }
        map
    });
    table.get(&prefix.to_ascii_lowercase()).map(Vec::as_slice).unwrap_or(&[])
}

/// May an action `pattern` matches be a write (write or permissions-management level)? True when it matches a
/// documented write action, and when it matches no documented action at all (an undocumented action might write).
pub(super) fn may_write(pattern: &Pattern) -> bool {
    /// Per service, its documented actions and its write actions, lower-cased and sorted, so a pattern's literal
    /// start picks a range instead of matching every action.
    type Sorted = (Vec<String>, Vec<String>);
    static BY_SERVICE: OnceLock<HashMap<String, Sorted>> = OnceLock::new();
    let table = BY_SERVICE.get_or_init(|| {
        let mut map: HashMap<String, Sorted> = HashMap::new();
        for a in Catalog::builtin().actions() {
            let name = a.name.to_ascii_lowercase();
            let service = name.split(':').next().unwrap_or("").to_string();
            let entry = map.entry(service).or_default();
            if matches!(a.level, AccessLevel::Write | AccessLevel::PermissionsManagement) {
                entry.1.push(name.clone());
            }
            entry.0.push(name);
        }
        for (all, writes) in map.values_mut() {
            all.sort();
            writes.sort();
        }
        map
    });
    let text = pattern.as_str().to_ascii_lowercase();
    let start = &text[..text.find(['*', '?']).unwrap_or(text.len())];
    let Some((service, _)) = start.split_once(':') else {
        // The service itself is a wildcard: every documented action is a candidate.
        let mut matched = Catalog::builtin().matching(pattern).peekable();
        return matched.peek().is_none()
            || matched.any(|a| matches!(a.level, AccessLevel::Write | AccessLevel::PermissionsManagement));
    };
    let Some((all, writes)) = table.get(service) else { return true };
    let in_range = |names: &[String]| {
        let from = names.partition_point(|n| n.as_str() < start);
        names[from..].iter().take_while(|n| n.starts_with(start)).any(|n| pattern.matches(n))
    };
    in_range(writes) || !in_range(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_principals_map_to_action_prefixes() {
        assert_eq!(prefixes("ecs-tasks.amazonaws.com"), ["ecs"]);
        assert_eq!(prefixes("tasks.apprunner.amazonaws.com"), ["apprunner"]);
        assert_eq!(prefixes("elasticmapreduce.amazonaws.com"), ["elasticmapreduce"]);
        assert_eq!(prefixes("edgelambda.amazonaws.com"), ["lambda"]);
        assert_eq!(prefixes("batchoperations.s3.amazonaws.com"), ["s3"]);
        assert!(prefixes("nothing-documented.example.com").is_empty());
        assert_eq!(arn_namespace("lambda.amazonaws.com").as_deref(), Some("lambda"));
    }

    #[test]
    fn starts_and_writes_come_from_the_table_and_the_catalog() {
        assert!(is_modelled("lambda.amazonaws.com") && !is_modelled("firehose.amazonaws.com"));
        let lambda = &compute_starts().iter().find(|(s, _)| *s == "lambda.amazonaws.com").unwrap().1;
        assert!(lambda.iter().any(|p| p.matches("lambda:CreateFunction")));
        let writes = write_actions("firehose");
        assert!(writes.iter().any(|p| p.matches("firehose:CreateDeliveryStream")));
        assert!(!writes.iter().any(|p| p.matches("firehose:DescribeDeliveryStream")));
    }

    #[test]
    fn writes_are_found_by_level_and_undocumented_actions_may_write() {
        assert!(may_write(&Pattern::action("ec2:*")));
        assert!(may_write(&Pattern::action("EC2:Run*")));
        assert!(!may_write(&Pattern::action("ec2:Describe*")));
        assert!(!may_write(&Pattern::action("s3:GetObject")));
        assert!(may_write(&Pattern::action("s3:PutObject")));
        assert!(may_write(&Pattern::action("s3:MadeUpAction")), "undocumented: might write");
        assert!(may_write(&Pattern::action("newservice:List*")), "undocumented service");
        assert!(may_write(&Pattern::action("*:Create*")));
        assert!(!may_write(&Pattern::action("*:DescribeAccountAttributes")));
        // Agrees with the catalog scan on every pattern shape the corpus uses.
        let catalog = Catalog::builtin();
        for text in
            ["ec2:Describe*", "s3:Get*", "s3:*Object", "lambda:?nvoke*", "kms:*", "cloudwatch:Get*", "rds:Describe*"]
        {
            let p = Pattern::action(text);
            let mut matched = catalog.matching(&p).peekable();
            let scanned = matched.peek().is_none()
                || matched.any(|a| matches!(a.level, AccessLevel::Write | AccessLevel::PermissionsManagement));
            assert_eq!(may_write(&p), scanned, "{text}");
        }
    }
}
