//! Shared harness for the cross-crate tests: one emulator per test binary, clients pointing at it, unique names.

use scalegate::demo::DemoClients;
use scalegate::emulator::{sdk_config_for, Emulator};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The project root.
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The emulator's endpoint, started on first use. It lives as long as the test process (it exits when our end of
/// its stdin closes).
pub fn endpoint() -> &'static str {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR
        .get_or_init(|| {
            Emulator::start(&project_root()).unwrap_or_else(|e| {
                panic!("the end-to-end tests need the local emulator: {e} (run `make setup` first)")
            })
        })
        .endpoint()
}

/// SDK configuration for the emulator.
pub async fn sdk_config() -> aws_config::SdkConfig {
    sdk_config_for(endpoint()).await
}

/// Demo clients for the emulator.
pub async fn clients() -> DemoClients {
    DemoClients::new(&sdk_config().await)
}

/// A name no other test in this process uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}
