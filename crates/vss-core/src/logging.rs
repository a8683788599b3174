//! Logs: `tracing` to a daily-rotated file in the platform's per-user data directory (seven
//! files kept) and to stderr when asked. What is logged: request ids, commands, origins,
//! outcomes, timings. Never a PIN, a pinentry transcript, a hash, XML or a CCCD number.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};
use vss_config::Config;
use vss_protocol::limits::LOG_FILES_KEPT;

/// The directory logs go to: config `log.dir`, else `<user data dir>/logs`.
pub fn log_dir(config: &Config) -> Option<PathBuf> {
    config
        .log_dir
        .clone()
        .or_else(|| vss_config::config::user_data_dir().map(|d| d.join("logs")))
}

/// Installs the subscriber. Keep the guard alive for the process's life (it flushes the file).
pub fn init(config: &Config, file_name: &str, to_stderr: bool) -> Option<WorkerGuard> {
    let filter =
        || EnvFilter::try_from_env("VSS_LOG").unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let stderr_layer = to_stderr.then(|| {
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_filter(filter())
    });
    let (file_layer, guard) = match log_dir(config).and_then(|dir| {
        std::fs::create_dir_all(&dir).ok()?;
        Builder::new()
            .rotation(Rotation::DAILY)
            .filename_prefix(file_name)
            .filename_suffix("log")
            .max_log_files(LOG_FILES_KEPT)
            .build(dir)
            .ok()
    }) {
        Some(appender) => {
            // The default queue (128,000 lines) is allocated and written through up front: 4 MiB
            // resident in every agent process. Lines are not dropped when it is full: the
            // writer waits (a file append) rather than lose one.
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(vss_protocol::limits::LOG_QUEUE_LINES)
                .lossy(false)
                .finish(appender);
            (
                Some(
                    fmt::layer()
                        .with_writer(writer)
                        .with_ansi(false)
                        .with_target(false)
                        .with_filter(filter()),
                ),
                Some(guard),
            )
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
    guard
}
