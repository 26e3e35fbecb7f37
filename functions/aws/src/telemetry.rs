//! Where reports go: JSON tracing for the shell's own events, and every report's lines to stdout.

use scalegate_core::report::Report;

/// JSON logs through `tracing`, to stdout (where Lambda sends them to CloudWatch Logs) or stderr (the CLI).
/// `RUST_LOG` filters; the default is `info` for functions and `warn` for the CLI, whose output is its answer.
pub fn init_json_logs(to_stderr: bool) {
    let default = if to_stderr { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_span_list(false)
        .flatten_event(true)
        .with_target(false);
    let result = if to_stderr {
        builder.with_writer(std::io::stderr).try_init()
    } else {
        builder.with_writer(std::io::stdout).try_init()
    };
    // A second init (tests) keeps the first subscriber.
    drop(result);
}

/// A function that cannot start (bad configuration) says why in one JSON error line, then fails its init with the
/// same words: `main` maps its setup errors through this.
pub fn cannot_start(error: impl std::fmt::Display) -> String {
    let message = error.to_string();
    tracing::error!(error = %message, "cannot start");
    message
}

/// Writes a report's log and EMF lines to stdout, where Lambda hands them to CloudWatch Logs, under one lock.
pub fn write_report(report: &Report) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in report.texts() {
        let _ = writeln!(out, "{line}");
    }
}
