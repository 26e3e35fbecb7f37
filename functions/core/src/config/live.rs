//! A document the functions re-read while they run: at most one conditional GET per `max_age`, the last good
//! version kept when a new one is unreadable or invalid.

use super::ports::{ConfigStore, Fetched};
use super::{ConfigError, CONFIG_FETCH_ERRORS, CONFIG_REJECTED};
use crate::emf::Metric;
use crate::ports::AwsError;
use crate::report::{Level, Report};
use crate::retry::{retry, RetryPolicy};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How old a check may be before the next use reads the store again: the bound on how long a pushed version takes
/// to reach a running function (plus one read).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(2);

/// How many older versions a process that never loaded a good one tries, newest first.
pub const FALLBACK_DEPTH: usize = 5;

/// Parses and validates a document: `(text, origin)` → the value, or why not.
pub type Parse<T> = Box<dyn Fn(&str, &str) -> Result<T, String> + Send + Sync>;

/// A version in use.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The parsed, validated document.
    pub value: Arc<T>,
    /// The store's version id; `None` for a document fixed at start (environment, file or built-in).
    pub version: Option<String>,
    /// Where it came from: `s3://bucket/key`, a variable or a path.
    pub origin: String,
}

struct State<T> {
    good: Option<Arc<Loaded<T>>>,
    /// The entity tag of the last version read, good or rejected: the next read is conditional on it.
    seen_etag: Option<String>,
    /// The current version when it was rejected, and why.
    rejected: Option<(String, String)>,
    checked: Option<Instant>,
}

/// A configuration document, fixed at start or read live from a versioned store.
pub struct LiveDocument<T, S> {
    name: &'static str,
    origin: String,
    /// The store and the parser of what it holds; `None` for a fixed document.
    store: Option<(S, Parse<T>)>,
    max_age: Duration,
    state: Mutex<State<T>>,
}

impl<T, S: ConfigStore> LiveDocument<T, S> {
    /// A document read once at start (inline, from a file, or the built-in default); it never changes.
    pub fn fixed(name: &'static str, value: T, origin: &str) -> Self {
        let loaded = Arc::new(Loaded { value: Arc::new(value), version: None, origin: origin.to_string() });
        Self {
            name,
            origin: origin.to_string(),
            store: None,
            max_age: Duration::MAX,
            state: Mutex::new(State { good: Some(loaded), seen_etag: None, rejected: None, checked: None }),
        }
    }

    /// A document read from `store` (at `origin`, for messages) whenever the last check is older than `max_age`.
    pub fn live(name: &'static str, store: S, origin: &str, parse: Parse<T>, max_age: Duration) -> Self {
        Self {
            name,
            origin: origin.to_string(),
            store: Some((store, parse)),
            max_age,
            state: Mutex::new(State { good: None, seen_etag: None, rejected: None, checked: None }),
        }
    }

    /// The document's short name (`gate-rules`, `duties`, `backlog-pairs`), for log lines; metrics name its location.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The version to use now, after reading the store if the last check is older than `max_age`; the report says
    /// what changed (a version loaded, rejected or unreadable). `Err` only when no good version was ever loaded.
    pub async fn current(&self, at: DateTime<Utc>) -> (Result<Arc<Loaded<T>>, ConfigError>, Report) {
        let mut report = Report::default();
        let mut state = self.state.lock().await;
        let fresh = state.good.is_some() && state.checked.is_some_and(|c| c.elapsed() < self.max_age);
        if let (Some((store, parse)), false) = (&self.store, fresh) {
            if let Err(e) = self.refresh(&mut state, store, parse, at, &mut report).await {
                return (Err(e), report);
            }
        }
        match self.good(&state) {
            Some(good) => (Ok(good), report),
            None => {
                let (version, error) = state.rejected.clone().unwrap_or_default();
                (Err(ConfigError::NoGoodVersion { location: self.origin.clone(), version, error }), report)
            }
        }
    }

    async fn refresh(
        &self,
        state: &mut State<T>,
        store: &S,
        parse: &Parse<T>,
        at: DateTime<Utc>,
        report: &mut Report,
    ) -> Result<(), ConfigError> {
        let seen = state.seen_etag.clone();
        let fetched = retry(RetryPolicy::new(3, Duration::from_secs(2)), || store.fetch(seen.as_deref())).await.result;
        state.checked = Some(Instant::now());
        let keeping = state.good.as_ref().map(|g| g.version.clone());
        match fetched {
            Ok(Fetched::Unchanged) => {
                if let Some((version, error)) = &state.rejected {
                    self.report_rejected(report, at, version, error, keeping.clone().flatten());
                }
            }
            Ok(Fetched::Current(revision)) => {
                let origin = format!("{} version {}", self.origin, revision.version_id);
                state.seen_etag = Some(revision.etag);
                match parse(&revision.text, &origin) {
                    Ok(value) => {
                        report.log(
                            at,
                            Level::Info,
                            "config loaded",
                            json!({"document": self.name, "location": self.origin, "version": revision.version_id,
                                   "previous_version": keeping.clone().flatten()}),
                        );
                        let loaded = Loaded {
                            value: Arc::new(value),
                            version: Some(revision.version_id),
                            origin: self.origin.clone(),
                        };
                        state.good = Some(Arc::new(loaded));
                        state.rejected = None;
                    }
                    Err(error) => {
                        self.report_rejected(report, at, &revision.version_id, &error, keeping.clone().flatten());
                        if state.good.is_none() {
                            state.good = self.fall_back(store, parse, &revision.version_id, at, report).await;
                        }
                        state.rejected = Some((revision.version_id, error));
                    }
                }
            }
            Err(error) => {
                if state.good.is_none() {
                    return Err(ConfigError::Unreadable { location: self.origin.clone(), error: error.to_string() });
                }
                report.log(
                    at,
                    Level::Warn,
                    "config unreadable; keeping the last good version",
                    json!({"document": self.name, "location": self.origin, "error": error.to_string(),
                           "version": keeping.clone().flatten()}),
                );
                report.metric(at, &[("Document", &self.origin)], &[Metric::new(CONFIG_FETCH_ERRORS, 1.0, "Count")]);
            }
        }
        Ok(())
    }

    /// A process that never loaded a good version (a cold start after a bad push) takes the newest older version
    /// that validates — the one running processes kept — rather than refusing to work.
    async fn fall_back(
        &self,
        store: &S,
        parse: &Parse<T>,
        rejected: &str,
        at: DateTime<Utc>,
        report: &mut Report,
    ) -> Option<Arc<Loaded<T>>> {
        let policy = RetryPolicy::new(3, Duration::from_secs(2));
        let unreadable = |e: AwsError, report: &mut Report| {
            report.log(
                at,
                Level::Error,
                "config history unreadable; no version to fall back to",
                json!({"document": self.name, "location": self.origin, "error": e.to_string()}),
            );
        };
        let versions = match retry(policy, || store.versions()).await.result {
            Ok(versions) => versions,
            Err(e) => {
                unreadable(e, report);
                return None;
            }
        };
        // The versions older than the rejected one, newest first; each is read only if the newer ones did not parse.
        let after = versions.iter().position(|v| v.version_id == rejected).map_or(0, |i| i + 1);
        let mut found = None;
        for v in versions[after..].iter().filter(|v| !v.deleted).take(FALLBACK_DEPTH) {
            let text = match retry(policy, || store.read_version(&v.version_id)).await.result {
                Ok(text) => text,
                Err(e) => {
                    unreadable(e, report);
                    return None;
                }
            };
            let origin = format!("{} version {}", self.origin, v.version_id);
            if let Ok(value) = parse(&text, &origin) {
                found = Some((v.version_id.clone(), value));
                break;
            }
        }
        let (version_id, value) = found?;
        report.log(
            at,
            Level::Warn,
            "config fallback: using the newest older version that validates",
            json!({"document": self.name, "location": self.origin, "version": version_id,
                   "rejected_version": rejected}),
        );
        let loaded = Loaded { value: Arc::new(value), version: Some(version_id), origin: self.origin.clone() };
        Some(Arc::new(loaded))
    }

    fn good(&self, state: &State<T>) -> Option<Arc<Loaded<T>>> {
        state.good.clone()
    }

    fn report_rejected(
        &self,
        report: &mut Report,
        at: DateTime<Utc>,
        version: &str,
        error: &str,
        keeping: Option<String>,
    ) {
        let message = if keeping.is_some() {
            "config rejected; keeping the last good version"
        } else {
            "config rejected; no good version loaded"
        };
        report.log(
            at,
            Level::Error,
            message,
            json!({"document": self.name, "location": self.origin, "rejected_version": version, "error": error,
                   "version": keeping}),
        );
        report.metric(at, &[("Document", &self.origin)], &[Metric::new(CONFIG_REJECTED, 1.0, "Count")]);
    }
}
