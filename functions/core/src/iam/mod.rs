//! IAM reasoning for the separation-of-duties audit: the wildcard algebra ([`Pattern`]), faithful policy parsing,
//! a sound reasoner over one role's permissions, escalation paths between roles, duties, and the audit.

mod audit;
mod bitset;
mod catalog;
mod duties;
mod escalation;
pub mod methods;
mod pattern;
mod policy;
mod reasoner;
mod sources;
#[cfg(test)]
mod tricky_cases;
#[cfg(test)]
mod tricky_methods;

pub use audit::{audit, AuditReport, AuditWitness, Check, Example, Summary};
pub use catalog::{AccessLevel, Catalog, CatalogAction};
pub use duties::{Duties, DutiesError, Duty, BUILTIN as BUILTIN_DUTIES};
pub use escalation::{End, Escalation, Hop, Inventory, Path, Via, NEW_PRINCIPAL, OUTSIDE};
pub use pattern::{Case, Pattern};
pub use policy::{parse_policy, parse_policy_value, Effect, Matcher, PolicyDocument, PolicyError, Statement};
pub use reasoner::{allows, can_reach, AttachedPolicy, Group, Principal, PrincipalKind, Reach, Witness};
pub use sources::{authorization_details, cloudformation, terraform_plan, Loaded, SourceError};
