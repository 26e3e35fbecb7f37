//! Flags → the domain's types: where a flag's meaning is decided, and where a bad combination gets its error.

use super::defs::{AuditArgs, BacklogArgs, DocumentKindArg, DrainArgs};
use anyhow::{bail, Context, Result};
use scalegate::audit::Source as AuditSource;
use scalegate_core::backlog::{Pair, PerMessage};
use scalegate_core::drain::DrainConfig;
use scalegate_core::settings::{DRAIN_BUDGET, DRAIN_FIRST_DELAY, DRAIN_MAX_DELAY};
use std::path::PathBuf;

impl DrainArgs {
    /// The drain's durations; unset flags (and variables) keep the function's own defaults.
    pub(crate) fn config(&self) -> Result<DrainConfig> {
        let given =
            [(DRAIN_BUDGET, &self.budget), (DRAIN_FIRST_DELAY, &self.first_delay), (DRAIN_MAX_DELAY, &self.max_delay)];
        Ok(DrainConfig::from_settings(|k| given.iter().find(|(name, _)| *name == k).and_then(|(_, v)| (*v).clone()))?)
    }
}

impl AuditArgs {
    /// Where the principals come from: the one input given, else the `policies` directory.
    pub(crate) fn source(&self) -> AuditSource {
        match (&self.authorization_details, &self.terraform_plan, &self.cfn, self.live) {
            (Some(p), ..) => AuditSource::AuthorizationDetails(p.clone()),
            (_, Some(p), ..) => AuditSource::TerraformPlan(p.clone()),
            (_, _, Some(p), _) => AuditSource::CloudFormation(p.clone()),
            (_, _, _, true) => AuditSource::Live,
            _ => AuditSource::Directory(self.dir.clone().unwrap_or_else(|| PathBuf::from("policies"))),
        }
    }
}

/// What `scalegate backlog` was asked to compute.
pub(crate) enum BacklogRequest {
    /// Every pair of the function's config file.
    Config(PathBuf),
    /// One pair from flags, read from AWS.
    Pair(Pair),
    /// The arithmetic alone: a pair's latency and seconds per message, messages, instances.
    Offline(Pair, u64, u32),
}

impl BacklogArgs {
    /// The request the flags make; names the flag that is missing or wrong.
    pub(crate) fn request(&self) -> Result<BacklogRequest> {
        match (&self.config, &self.queue, &self.group, self.messages, self.instances) {
            (Some(path), ..) => Ok(BacklogRequest::Config(path.clone())),
            (None, _, _, Some(m), Some(i)) => Ok(BacklogRequest::Offline(self.pair("-", "-")?, m, i)),
            (None, Some(q), Some(g), ..) => Ok(BacklogRequest::Pair(self.pair(q, g)?)),
            _ => bail!("give --config FILE, or --queue and --group, or --messages and --instances"),
        }
    }

    fn pair(&self, queue: &str, group: &str) -> Result<Pair> {
        let latency = self.latency.context("--latency is required (e.g. --latency 10s)")?;
        let per = match self.seconds_per_message.as_deref() {
            None => bail!("--seconds-per-message is required (a number, or `measure`)"),
            Some("measure") => PerMessage::Measure {
                fallback: self
                    .fallback_seconds_per_message
                    .context("--seconds-per-message measure needs --fallback-seconds-per-message")?,
            },
            Some(n) => PerMessage::Fixed(
                n.parse().with_context(|| format!("--seconds-per-message: `{n}` is not a number or `measure`"))?,
            ),
        };
        Ok(Pair {
            queue: queue.to_string(),
            group: group.to_string(),
            latency,
            seconds_per_message: per,
            count_in_flight: !self.no_in_flight,
            count_delayed: self.count_delayed,
            namespace: scalegate_core::emf::NAMESPACE.to_string(),
            resolution: 60,
            instance_warmup: self.instance_warmup,
        })
    }
}

impl From<DocumentKindArg> for scalegate_aws::settings::DocumentKind {
    fn from(kind: DocumentKindArg) -> Self {
        match kind {
            DocumentKindArg::GateRules => Self::GateRules,
            DocumentKindArg::Duties => Self::Duties,
            DocumentKindArg::BacklogPairs => Self::BacklogPairs,
        }
    }
}
