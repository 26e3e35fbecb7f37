use super::*;
use crate::ports::{AwsError, AwsErrorKind};
use chrono::Utc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;

/// A versioned store in memory: what S3 with versioning does for one key (equal contents, equal entity tags).
#[derive(Default)]
struct MemoryStore {
    versions: Mutex<Vec<(String, String)>>,
    reads: AtomicU32,
    bodies: AtomicU32,
    down: AtomicBool,
}

fn etag(text: &str) -> String {
    format!(
        "{:x}",
        text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    )
}

impl MemoryStore {
    fn with(texts: &[&str]) -> Self {
        let store = Self::default();
        for t in texts {
            store.put(t);
        }
        store
    }

    fn put(&self, text: &str) -> String {
        let mut v = self.versions.lock().unwrap();
        let id = format!("v{}", v.len() + 1);
        v.push((id.clone(), text.to_string()));
        id
    }

    fn fail_if_down(&self, op: &'static str) -> Result<(), AwsError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(AwsError::new(op, AwsErrorKind::AccessDenied, "denied"));
        }
        Ok(())
    }
}

impl ConfigStore for &MemoryStore {
    async fn fetch(&self, known_etag: Option<&str>) -> Result<Fetched, AwsError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.fail_if_down("GetObject")?;
        let v = self.versions.lock().unwrap();
        let (id, text) = v.last().ok_or_else(|| AwsError::new("GetObject", AwsErrorKind::NotFound, "NoSuchKey"))?;
        if known_etag == Some(etag(text).as_str()) {
            return Ok(Fetched::Unchanged);
        }
        self.bodies.fetch_add(1, Ordering::SeqCst);
        Ok(Fetched::Current(Revision { version_id: id.clone(), etag: etag(text), text: text.clone() }))
    }

    async fn versions(&self) -> Result<Vec<VersionInfo>, AwsError> {
        self.fail_if_down("ListObjectVersions")?;
        let v = self.versions.lock().unwrap();
        let n = v.len();
        Ok(v.iter()
            .enumerate()
            .rev()
            .map(|(i, (id, text))| VersionInfo {
                version_id: id.clone(),
                written_at: None,
                size: text.len() as i64,
                is_current: i + 1 == n,
                etag: etag(text),
                deleted: false,
            })
            .collect())
    }

    async fn read_version(&self, version_id: &str) -> Result<String, AwsError> {
        let v = self.versions.lock().unwrap();
        v.iter()
            .find(|(id, _)| id == version_id)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| AwsError::new("GetObject", AwsErrorKind::NotFound, "NoSuchVersion"))
    }
}

impl ConfigHistory for &MemoryStore {
    async fn write(&self, text: &str) -> Result<String, AwsError> {
        self.fail_if_down("PutObject")?;
        Ok(self.put(text))
    }

    async fn restore(&self, version_id: &str) -> Result<String, AwsError> {
        let text = self.read_version(version_id).await?;
        Ok(self.put(&text))
    }
}

/// The test document: a number below 100.
fn parse(text: &str, origin: &str) -> Result<u32, String> {
    let n: u32 = text.trim().parse().map_err(|e| format!("{origin}: {e}"))?;
    if n >= 100 {
        return Err(format!("{origin}: {n} is not below 100"));
    }
    Ok(n)
}

fn validate(text: &str, origin: &str) -> Result<(), String> {
    parse(text, origin).map(|_| ())
}

fn live(store: &MemoryStore) -> LiveDocument<u32, &MemoryStore> {
    LiveDocument::live("test-doc", store, "s3://bucket/doc.toml", Box::new(parse), DEFAULT_MAX_AGE)
}

async fn value(doc: &LiveDocument<u32, &MemoryStore>) -> (u32, Option<String>, Vec<String>) {
    let (loaded, report) = doc.current(Utc::now()).await;
    let loaded = loaded.expect("a good version");
    (*loaded.value, loaded.version.clone(), report.texts().map(str::to_string).collect())
}

#[tokio::test(start_paused = true)]
async fn a_new_version_reaches_the_function_after_max_age_and_not_before() {
    let store = MemoryStore::with(&["1"]);
    let doc = live(&store);
    assert_eq!(value(&doc).await.0, 1);
    store.put("2");
    assert_eq!(value(&doc).await.0, 1, "inside max_age the store is not read");
    assert_eq!(store.reads.load(Ordering::SeqCst), 1);
    tokio::time::advance(DEFAULT_MAX_AGE).await;
    let (n, version, lines) = value(&doc).await;
    assert_eq!((n, version.as_deref()), (2, Some("v2")));
    assert!(
        lines.iter().any(|l| l.contains("config loaded") && l.contains("\"previous_version\":\"v1\"")),
        "{lines:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_unchanged_document_is_not_downloaded_again() {
    let store = MemoryStore::with(&["7"]);
    let doc = live(&store);
    for _ in 0..3 {
        assert_eq!(value(&doc).await.0, 7);
        tokio::time::advance(DEFAULT_MAX_AGE).await;
    }
    assert_eq!((store.reads.load(Ordering::SeqCst), store.bodies.load(Ordering::SeqCst)), (3, 1));
}

#[tokio::test(start_paused = true)]
async fn an_invalid_version_never_replaces_a_good_one_and_is_reported_until_fixed() {
    let store = MemoryStore::with(&["5"]);
    let doc = live(&store);
    assert_eq!(value(&doc).await.0, 5);
    for bad in ["not a number", "500"] {
        store.put(bad);
        tokio::time::advance(DEFAULT_MAX_AGE).await;
        let (n, version, lines) = value(&doc).await;
        assert_eq!((n, version.as_deref()), (5, Some("v1")), "{bad} must not replace v1");
        assert!(lines.iter().any(|l| l.contains("config rejected; keeping the last good version")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains(CONFIG_REJECTED)), "the rejection is a metric: {lines:?}");
    }
    tokio::time::advance(DEFAULT_MAX_AGE).await;
    let (_, _, lines) = value(&doc).await;
    assert!(lines.iter().any(|l| l.contains(CONFIG_REJECTED)), "still rejected, still alarming: {lines:?}");
    store.put("6");
    tokio::time::advance(DEFAULT_MAX_AGE).await;
    let (n, _, lines) = value(&doc).await;
    assert_eq!(n, 6);
    assert!(!lines.iter().any(|l| l.contains(CONFIG_REJECTED)), "{lines:?}");
}

#[tokio::test(start_paused = true)]
async fn without_a_good_version_there_is_nothing_to_work_with() {
    let store = MemoryStore::with(&["oops"]);
    let (loaded, report) = live(&store).current(Utc::now()).await;
    let e = loaded.unwrap_err();
    assert!(matches!(&e, ConfigError::NoGoodVersion { version, .. } if version == "v1"), "{e}");
    assert!(report.texts().any(|l| l.contains("no good version loaded")));

    let empty = MemoryStore::default();
    let e = live(&empty).current(Utc::now()).await.0.unwrap_err();
    assert!(matches!(e, ConfigError::Unreadable { .. }), "{e}");
    assert!(e.to_string().starts_with("s3://bucket/doc.toml: cannot read it"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_store_keeps_the_last_good_version_and_says_so() {
    let store = MemoryStore::with(&["3"]);
    let doc = live(&store);
    assert_eq!(value(&doc).await.0, 3);
    store.down.store(true, Ordering::SeqCst);
    tokio::time::advance(DEFAULT_MAX_AGE).await;
    let (n, _, lines) = value(&doc).await;
    assert_eq!(n, 3);
    assert!(lines.iter().any(|l| l.contains(CONFIG_FETCH_ERRORS)), "{lines:?}");
}

#[tokio::test]
async fn a_fixed_document_never_reads_a_store() {
    let doc: LiveDocument<u32, &MemoryStore> = LiveDocument::fixed("test-doc", 9, "SCALEGATE_X");
    let (loaded, report) = doc.current(Utc::now()).await;
    let loaded = loaded.unwrap();
    assert_eq!((*loaded.value, loaded.version.clone(), loaded.origin.as_str()), (9, None, "SCALEGATE_X"));
    assert!(report.is_empty());
}

#[tokio::test]
async fn push_validates_before_writing() {
    let store = MemoryStore::with(&["1"]);
    let e = push(&&store, "100", "next.toml", validate).await.unwrap_err();
    assert!(matches!(e, RolloutError::Invalid { .. }), "{e}");
    assert_eq!(store.versions.lock().unwrap().len(), 1, "nothing written");
    let pushed = push(&&store, "2", "next.toml", validate).await.unwrap();
    assert_eq!((pushed.version_id.as_str(), pushed.replaced.as_deref()), ("v2", Some("v1")));
}

#[tokio::test]
async fn rollback_restores_the_newest_older_version_with_different_contents() {
    // v1 = 1, v2 = 2, v3 = 2 again (a re-push), v4 = 3.
    let store = MemoryStore::with(&["1", "2", "2", "3"]);
    let back = rollback(&&store, None, validate).await.unwrap();
    assert_eq!((back.restored_from.as_deref(), back.replaced.as_deref()), (Some("v3"), Some("v4")));
    // Now current = copy of v3 ("2"): going back again skips v3 and v2, which are the same contents.
    let back = rollback(&&store, None, validate).await.unwrap();
    assert_eq!(back.restored_from.as_deref(), Some("v4"), "the newest older version that differs");
    let versions = (&store).versions().await.unwrap();
    assert!(matches!(rollback_target(&versions, Some("v9")), Err(RolloutError::UnknownVersion(_))));
    assert!(matches!(rollback_target(&versions, Some("v6")), Err(RolloutError::AlreadyCurrent(_))));
    assert_eq!(rollback_target(&versions, Some("v1")).unwrap().version_id, "v1");

    let single = MemoryStore::with(&["1"]);
    assert_eq!(rollback(&&single, None, validate).await.unwrap_err(), RolloutError::NothingToRollBackTo);
}

#[tokio::test]
async fn rollback_never_restores_a_version_that_does_not_validate() {
    let store = MemoryStore::with(&["500", "1"]);
    let e = rollback(&&store, None, validate).await.unwrap_err();
    assert!(matches!(&e, RolloutError::TargetInvalid { version, .. } if version == "v1"), "{e}");
    assert_eq!(store.versions.lock().unwrap().len(), 2, "nothing written");
}

#[test]
fn locations_parse_only_when_s3_would_accept_them() {
    let l = DocumentLocation::parse("s3://scalegate-config-123/gate/rules.toml").unwrap();
    assert_eq!((l.bucket.as_str(), l.key.as_str()), ("scalegate-config-123", "gate/rules.toml"));
    assert_eq!(l.to_string(), "s3://scalegate-config-123/gate/rules.toml");
    for bad in
        ["https://b/k", "s3://bucket", "s3://bucket/", "s3://Bucket/k", "s3://ab/k", "s3://-bucket/k", "s3://b_c/k"]
    {
        assert!(DocumentLocation::parse(bad).is_err(), "{bad} should not parse");
    }
}

#[tokio::test(start_paused = true)]
async fn a_new_process_after_a_bad_push_takes_the_newest_older_version_that_validates() {
    // v1 good, v2 good, v3 and v4 bad: running processes kept v2, so a cold start takes v2 too.
    let store = MemoryStore::with(&["1", "2", "300", "oops"]);
    let doc = live(&store);
    let (loaded, report) = doc.current(Utc::now()).await;
    let loaded = loaded.expect("a version to fall back to");
    assert_eq!((*loaded.value, loaded.version.as_deref()), (2, Some("v2")));
    let lines: Vec<&str> = report.texts().collect();
    assert!(
        lines.iter().any(|l| l.contains("config rejected") && l.contains("\"rejected_version\":\"v4\"")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("config fallback") && l.contains("\"version\":\"v2\"")), "{lines:?}");
    // The bad current version keeps alarming; a good push replaces the fallback.
    tokio::time::advance(DEFAULT_MAX_AGE).await;
    let (_, report) = doc.current(Utc::now()).await;
    assert!(report.texts().any(|l| l.contains(CONFIG_REJECTED)));
    store.put("7");
    tokio::time::advance(DEFAULT_MAX_AGE).await;
    assert_eq!(value(&doc).await.0, 7);

    // Nothing older validates: nothing to work with.
    let none = MemoryStore::with(&["500", "oops"]);
    assert!(matches!(live(&none).current(Utc::now()).await.0, Err(ConfigError::NoGoodVersion { .. })));
}

#[test]
fn a_deleted_document_rolls_back_to_what_was_there_and_markers_are_never_targets() {
    let v = |id: &str, etag: &str, current: bool, deleted: bool| VersionInfo {
        version_id: id.into(),
        written_at: None,
        size: 1,
        is_current: current,
        etag: etag.into(),
        deleted,
    };
    let history =
        [v("m2", "", true, true), v("v2", "b", false, false), v("m1", "", false, true), v("v1", "a", false, false)];
    assert_eq!(rollback_target(&history, None).unwrap().version_id, "v2");
    assert_eq!(rollback_target(&history, Some("m1")), Err(RolloutError::DeleteMarker("m1".into())));
    let live = [v("v3", "a", true, false), v("m1", "", false, true), v("v1", "a", false, false)];
    assert_eq!(
        rollback_target(&live, None),
        Err(RolloutError::NothingToRollBackTo),
        "markers are skipped, v1 is the same"
    );
    let unversioned = [v("etag:abc", "abc", true, false)];
    assert_eq!(rollback_target(&unversioned, None), Err(RolloutError::Unversioned));
}
