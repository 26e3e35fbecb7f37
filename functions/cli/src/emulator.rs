//! Starts and stops the local AWS emulator (`infra/local`, moto extended in-process).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

/// Why the emulator could not be started.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The project virtualenv is missing.
    #[error("no Python at {0}: run `make setup` to create the project virtualenv with moto")]
    NoPython(PathBuf),
    /// Spawning failed.
    #[error("could not start the emulator: {0}")]
    Spawn(#[from] std::io::Error),
    /// It exited or printed something unexpected instead of its address.
    #[error("the emulator did not start: {0}")]
    NotReady(String),
}

/// A running emulator; stopped when dropped. It also exits by itself when this process dies (it watches its stdin).
pub struct Emulator {
    child: Child,
    _stdin: ChildStdin,
    endpoint: String,
    log_path: PathBuf,
}

impl Emulator {
    /// Starts the emulator on a free loopback port. `root` is the project root (holding `.venv` and `infra/local`).
    pub fn start(root: &Path) -> Result<Self, EmulatorError> {
        let python = root.join(".venv/bin/python");
        if !python.exists() {
            return Err(EmulatorError::NoPython(python));
        }
        // Its request log and any traceback, for when a test needs explaining.
        let log_path = std::env::temp_dir().join(format!("scalegate-emulator-{}.log", std::process::id()));
        let log = std::fs::File::create(&log_path)?;
        let mut child = Command::new(&python)
            .args(["-m", "scalegate_emulator", "--host", "127.0.0.1", "--port", "0", "--exit-with-stdin"])
            .env("PYTHONPATH", root.join("infra/local"))
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| EmulatorError::NotReady("no stdin".into()))?;
        let stdout = child.stdout.take().ok_or_else(|| EmulatorError::NotReady("no stdout".into()))?;
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first)?;
        let endpoint = first
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .map(str::to_owned)
            .ok_or_else(|| EmulatorError::NotReady(format!("unexpected first line {first:?}")))?;
        Ok(Self { child, _stdin: stdin, endpoint, log_path })
    }

    /// Where the emulator writes its request log and errors.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

/// Static test credentials and region for an emulator endpoint.
pub async fn sdk_config_for(endpoint: &str) -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region};
    let creds = aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "scalegate-emulator");
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(creds)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder().operation_timeout(Duration::from_secs(30)).build(),
        )
        .load()
        .await
}

/// Points a child process's AWS SDK at an emulator endpoint: the same static test credentials and region as
/// [`sdk_config_for`], and no profile from the user's configuration.
pub fn point_at<'c>(cmd: &'c mut Command, endpoint: &str) -> &'c mut Command {
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
