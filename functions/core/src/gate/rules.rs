//! The gate's rules (`policies/gate.toml`), with the defaults a key takes when it is left out.

use super::reach::WorldLimits;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// All launch-gate rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GateRules {
    /// Whether verdicts are enforced, or only reported while every action continues.
    pub mode: GateMode,
    /// Instance profile, IMDS and key pair.
    pub credentials: CredentialRules,
    /// Security groups.
    pub firewall: FirewallRules,
    /// Match against the launch template and fleet policy.
    pub drift: DriftRules,
    /// Waiting for facts that are still settling.
    pub settle: SettleRules,
    /// Retrying AWS errors.
    pub retry: RetryRules,
}

/// How the gate completes what it decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GateMode {
    /// ABANDON what fails (fail-closed).
    #[default]
    Enforce,
    /// Decide and log exactly as `enforce` would, then complete every action with CONTINUE: the first step of a
    /// rollout, and the break-glass switch while the gate itself still runs.
    ReportOnly,
}

impl GateMode {
    /// `enforce` or `report-only`, as the rules file spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::ReportOnly => "report-only",
        }
    }

    /// What the action is completed with, given the gate's verdict.
    pub fn completes_with(self, verdict: crate::lifecycle::ActionResult) -> crate::lifecycle::ActionResult {
        match self {
            Self::Enforce => verdict,
            Self::ReportOnly => crate::lifecycle::ActionResult::Continue,
        }
    }
}

/// `[credentials]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialRules {
    /// An instance profile must be attached and be the template's (or allowed).
    pub require_instance_profile: bool,
    /// Profiles accepted besides the template's (names or ARNs).
    pub allowed_instance_profiles: Vec<String>,
    /// `HttpTokens=required`.
    pub require_imdsv2: bool,
    /// Highest PUT response hop limit allowed.
    pub max_hop_limit: i32,
    /// Whether a key pair may be attached at all.
    pub allow_key_pair: bool,
    /// Key pairs allowed when `allow_key_pair` is false.
    pub allowed_key_pairs: Vec<String>,
}

impl Default for CredentialRules {
    fn default() -> Self {
        Self {
            require_instance_profile: true,
            allowed_instance_profiles: vec![],
            require_imdsv2: true,
            max_hop_limit: 2,
            allow_key_pair: false,
            allowed_key_pairs: vec![],
        }
    }
}

/// `[firewall]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FirewallRules {
    /// Ports that may be open to the world.
    pub world_open_ports: Vec<u16>,
    /// Ports never open to the world.
    pub admin_ports: Vec<u16>,
    /// If not empty, the only security groups allowed.
    pub allowed_security_groups: Vec<String>,
    /// A port is open to the world when the public IPv4 addresses it admits, all rules together, outnumber the
    /// addresses of a prefix of this length (11: more than 2,097,152).
    pub world_ipv4_prefix: u8,
    /// The same for IPv6 (28: more than a /28).
    pub world_ipv6_prefix: u8,
}

impl Default for FirewallRules {
    fn default() -> Self {
        Self {
            world_open_ports: vec![80, 443],
            admin_ports: vec![22, 3389],
            allowed_security_groups: vec![],
            world_ipv4_prefix: 11,
            world_ipv6_prefix: 28,
        }
    }
}

impl FirewallRules {
    /// The "open to the world" rule these settings describe.
    pub fn world_limits(&self) -> WorldLimits {
        WorldLimits::new(self.world_ipv4_prefix, self.world_ipv6_prefix)
    }
}

/// `[drift]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriftRules {
    /// Compare against the group's launch template version.
    pub match_launch_template: bool,
    /// Every attached EBS volume encrypted.
    pub require_encrypted_volumes: bool,
    /// Tag keys every instance must carry.
    pub required_tags: Vec<String>,
    /// If not empty, allowed AMIs.
    pub approved_amis: Vec<String>,
    /// Instance subnet within the group's subnets.
    pub require_group_subnet: bool,
    /// What `drift.security_groups` says when the launch template names no security group at all (the instance
    /// then gets its VPC's default group, which the template cannot vouch for).
    pub template_without_groups: TemplateWithoutGroups,
}

/// `drift.template_without_groups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TemplateWithoutGroups {
    /// Nothing to compare against: the check passes.
    Pass,
    /// The check fails: the template must name the instance's groups.
    #[default]
    Fail,
}

impl Default for DriftRules {
    fn default() -> Self {
        Self {
            match_launch_template: true,
            require_encrypted_volumes: true,
            required_tags: vec![],
            approved_amis: vec![],
            require_group_subnet: true,
            template_without_groups: TemplateWithoutGroups::Fail,
        }
    }
}

/// `[settle]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettleRules {
    /// Longest wait for facts to settle.
    pub timeout_seconds: u64,
    /// Pause between re-checks.
    pub interval_seconds: u64,
}

impl Default for SettleRules {
    fn default() -> Self {
        Self { timeout_seconds: 20, interval_seconds: 2 }
    }
}

/// `[retry]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryRules {
    /// Time budget for retrying AWS errors.
    pub budget_seconds: u64,
    /// Most attempts per call.
    pub max_attempts: u32,
}

impl Default for RetryRules {
    fn default() -> Self {
        Self { budget_seconds: 10, max_attempts: 5 }
    }
}

/// Why rules could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("cannot read gate rules {path}: {source}")]
    Read {
        /// File path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed, or has an unknown key or a wrongly typed value.
    #[error("invalid gate rules {path}: {message}")]
    Invalid {
        /// File path (or `<inline>`).
        path: String,
        /// What is wrong, as the TOML parser says it (it names the key and line).
        message: String,
    },
}

impl GateRules {
    /// Parses rules from TOML text. `origin` names the text in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, RulesError> {
        let rules: GateRules = toml::from_str(text).map_err(|e| RulesError::Invalid {
            path: origin.to_string(),
            message: crate::json::toml_error(text, &e),
        })?;
        rules.validate().map_err(|message| RulesError::Invalid { path: origin.to_string(), message })?;
        Ok(rules)
    }

    /// Reads and parses a rules file.
    pub fn load(path: &std::path::Path) -> Result<Self, RulesError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| RulesError::Read { path: path.display().to_string(), source })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    fn validate(&self) -> Result<(), String> {
        if !(1..=64).contains(&self.credentials.max_hop_limit) {
            return Err(format!(
                "credentials.max_hop_limit must be between 1 and 64, got {}",
                self.credentials.max_hop_limit
            ));
        }
        if self.settle.interval_seconds == 0 && self.settle.timeout_seconds > 0 {
            return Err("settle.interval_seconds must be at least 1".into());
        }
        if self.settle.timeout_seconds > 600 {
            return Err("settle.timeout_seconds must be at most 600 (a Lambda runs at most 900 s)".into());
        }
        if self.firewall.world_ipv4_prefix > 32 {
            return Err(format!(
                "firewall.world_ipv4_prefix must be a prefix length between 0 and 32, got {}",
                self.firewall.world_ipv4_prefix
            ));
        }
        if self.firewall.world_ipv6_prefix > 128 {
            return Err(format!(
                "firewall.world_ipv6_prefix must be a prefix length between 0 and 128, got {}",
                self.firewall.world_ipv6_prefix
            ));
        }
        if self.retry.max_attempts == 0 {
            return Err("retry.max_attempts must be at least 1".into());
        }
        Ok(())
    }

    /// A short hash of the effective rules, logged with every decision.
    pub fn version(&self) -> String {
        // FNV-1a over the canonical JSON: stable across runs and platforms, and no crypto needed to tell versions apart.
        let canonical = serde_json::to_string(self).unwrap_or_default();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in canonical.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    /// Settle timeout.
    pub fn settle_timeout(&self) -> Duration {
        Duration::from_secs(self.settle.timeout_seconds)
    }

    /// Settle interval.
    pub fn settle_interval(&self) -> Duration {
        Duration::from_secs(self.settle.interval_seconds.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_equals_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/gate.toml");
        let rules = GateRules::load(std::path::Path::new(path)).unwrap();
        assert_eq!(rules, GateRules::default());
    }

    #[test]
    fn empty_file_means_defaults() {
        assert_eq!(GateRules::from_toml("", "t").unwrap(), GateRules::default());
    }

    #[test]
    fn unknown_keys_and_bad_types_are_named() {
        let e = GateRules::from_toml("[firewall]\nworld_open_prots = [80]\n", "t").unwrap_err().to_string();
        assert!(e.contains("world_open_prots"), "{e}");
        let e = GateRules::from_toml("[credentials]\nmax_hop_limit = \"two\"\n", "t").unwrap_err().to_string();
        assert!(e.contains("max_hop_limit"), "{e}");
        let e = GateRules::from_toml("[credentials]\nmax_hop_limit = 0\n", "t").unwrap_err().to_string();
        assert!(e.contains("between 1 and 64"), "{e}");
        let e = GateRules::from_toml("[firewall]\nworld_ipv4_prefix = 33\n", "t").unwrap_err().to_string();
        assert!(e.contains("firewall.world_ipv4_prefix") && e.contains("33"), "{e}");
        let e = GateRules::from_toml("[firewall]\nworld_ipv6_prefix = 129\n", "t").unwrap_err().to_string();
        assert!(e.contains("firewall.world_ipv6_prefix"), "{e}");
        let e = GateRules::from_toml("[firewall]\nworld_ipv6_prefix = -1\n", "t").unwrap_err().to_string();
        assert!(e.contains("world_ipv6_prefix"), "{e}");
        let e = GateRules::from_toml("[drift]\ntemplate_without_groups = \"maybe\"\n", "t").unwrap_err().to_string();
        assert!(e.contains("template_without_groups"), "{e}");
        let r = GateRules::from_toml("[drift]\ntemplate_without_groups = \"pass\"\n", "t").unwrap();
        assert_eq!(r.drift.template_without_groups, TemplateWithoutGroups::Pass);
    }

    #[test]
    fn version_changes_with_rules() {
        let a = GateRules::default();
        let mut b = a.clone();
        b.firewall.admin_ports.push(5432);
        assert_ne!(a.version(), b.version());
        assert_eq!(a.version(), GateRules::default().version());
        assert_eq!(a.version().len(), 16);
    }
}
