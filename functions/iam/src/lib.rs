//! IAM reasoning for the separation-of-duties audit: faithful policy parsing over the wildcard algebra
//! ([`Pattern`], which the gate shares from `scalegate-core`), a sound reasoner over one principal's permissions,
//! escalation paths between principals, duties, and the audit.

mod audit;
mod bitset;
mod catalog;
mod duties;
mod escalation;
pub mod methods;
mod policy;
mod reasoner;
pub mod sod_audit;
mod sources;
#[cfg(test)]
mod tricky_cases;
#[cfg(test)]
mod tricky_methods;

pub use audit::{audit, AuditReport, AuditVerdict, AuditWitness, Check, Example, PathKind, Summary};
pub use catalog::{AccessLevel, Catalog, CatalogAction};
pub use duties::{Duties, DutiesError, Duty, Exemption, BUILTIN as BUILTIN_DUTIES};
pub use escalation::{End, Escalation, Hop, Inventory, Path, Via, NEW_PRINCIPAL, OUTSIDE};
pub use policy::{parse_policy, parse_policy_value, Effect, Matcher, PolicyDocument, PolicyError, Statement};
pub use reasoner::{allows, can_reach, AttachedPolicy, Group, Principal, PrincipalKind, Reach, Witness};
pub use scalegate_core::wildcard::{Case, Pattern};
pub use sources::{authorization_details, cloudformation, terraform_plan, Loaded, SourceError};
