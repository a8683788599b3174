//! Logs: `tracing` to a daily-rotated file in the platform's per-user data directory (seven
//! files kept) and to stderr when asked. What is logged: request ids, commands, origins,
//! outcomes, timings. Never a PIN, a pinentry transcript, a hash, XML or a CCCD number.
//!
//! One event is one line of `name=value` fields, whatever the values hold (issue 17): a
//! request id or command sent by a page with a newline, CR, ANSI sequence or bidi override
//! must not forge another line or repaint this one. Every field, of every event, goes through
//! [`field_value`]: the one sanitizer's `escape` (controls and invisible characters as
//! `\u{…}`), backslashes doubled so an escape cannot be faked, and quotes around a value with
//! a space, `=` or `"` so it cannot pose as further fields.

use std::path::PathBuf;

use tracing::field::{Field, Visit};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::field::{MakeExt, MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::FormatFields;
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
            .fmt_fields(escaping_fields())
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
                        .fmt_fields(escaping_fields())
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

/// The field formatter of every log layer: `message` as text, the rest `name=value`, each
/// through [`field_value`], separated by spaces.
pub fn escaping_fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    EscapingFields.delimited(" ")
}

/// Makes an [`EscapingVisitor`] per event.
#[derive(Debug, Clone, Copy)]
struct EscapingFields;

impl<'w> MakeVisitor<Writer<'w>> for EscapingFields {
    type Visitor = EscapingVisitor<'w>;

    fn make_visitor(&self, writer: Writer<'w>) -> EscapingVisitor<'w> {
        EscapingVisitor {
            writer,
            result: Ok(()),
        }
    }
}

/// Writes each field of an event escaped (strings as they are, other values by `Debug`).
struct EscapingVisitor<'w> {
    writer: Writer<'w>,
    result: std::fmt::Result,
}

impl EscapingVisitor<'_> {
    fn write(&mut self, field: &Field, value: &str) {
        if self.result.is_err() {
            return;
        }
        self.result = if field.name() == "message" {
            write!(self.writer, "{}", vss_protocol::display::escape(value))
        } else {
            write!(self.writer, "{}={}", field.name(), field_value(value))
        };
    }
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.write(field, value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.write(field, &format!("{value:?}"));
    }
}

impl VisitOutput<std::fmt::Result> for EscapingVisitor<'_> {
    fn finish(self) -> std::fmt::Result {
        self.result
    }
}

impl VisitFmt for EscapingVisitor<'_> {
    fn writer(&mut self) -> &mut dyn std::fmt::Write {
        &mut self.writer
    }
}

/// A log field's value as written: backslashes doubled, then escaped by the one sanitizer (no
/// line end, control or invisible character survives), quoted when it holds a space, `=` or
/// `"` (or is empty), so it reads as one value of one field.
pub fn field_value(value: &str) -> String {
    let doubled = value.replace('\\', "\\\\");
    let escaped = vss_protocol::display::escape(&doubled);
    if escaped.is_empty() || escaped.contains([' ', '=', '"']) {
        format!("\"{}\"", escaped.replace('"', "\\\""))
    } else {
        escaped.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_cannot_end_the_line_fake_a_field_or_fake_an_escape() {
        for (raw, shown) in [
            ("r-1", "r-1"),
            (
                "a\nINFO request id=x outcome=ok",
                "\"a\\u{a}INFO request id\\u{20}...\"",
            ),
            ("a\rb", "a\\u{d}b"),
            ("x\u{1b}[32mok\u{7}", "x\\u{1b}[32mok\\u{7}"),
            ("\u{202e}kcatta", "\\u{202e}kcatta"),
            ("\u{85}\u{9b}", "\\u{85}\\u{9b}"),
            ("x outcome=ok", "\"x outcome=ok\""),
            ("q\"", "\"q\\\"\""),
            ("lit\\u{a}", "lit\\\\u{a}"),
            ("", "\"\""),
        ] {
            let got = field_value(raw);
            assert!(
                !got.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{got}"
            );
            if !shown.contains("...") {
                assert_eq!(got, shown, "{raw:?}");
            }
        }
        assert_ne!(
            field_value("a\n"),
            field_value("a\\u{a}"),
            "an escape cannot be faked"
        );
    }
}
