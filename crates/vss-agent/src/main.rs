//! `vss-agent`: started by Chrome/Edge as a native-messaging host
//! (`vss-agent chrome-extension://<id>/ [--parent-window=<hwnd>]`), by Firefox
//! (`vss-agent <manifest path> <add-on id>`), or by the user/systemd as
//! `vss-agent serve [--port N]`.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use vss_agent::http::{self, HttpState};
use vss_agent::native_host;
use vss_config::Config;
use vss_core::{early_failure, logging, Service};
use vss_protocol::Error;

#[derive(Parser)]
#[command(
    name = "vss-agent",
    version,
    about = "VSS Token Signing agent",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// The caller Chrome passes: chrome-extension://<id>/ (Firefox: the host manifest's path)
    caller: Option<String>,
    /// Firefox: the add-on id of the caller.
    firefox_extension: Option<String>,
    /// Windows: the browser window to parent dialogs to.
    #[arg(long = "parent-window")]
    parent_window: Option<String>,
    /// Also log to stderr.
    #[arg(long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Option<Mode>,
}

#[derive(Subcommand)]
enum Mode {
    /// Serve the protocol over HTTP on 127.0.0.1.
    Serve {
        #[arg(long)]
        port: Option<u16>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Mode::Serve { port }) => serve(port, cli.verbose),
        None => match cli.caller {
            Some(caller) => native(
                &caller,
                cli.firefox_extension.as_deref(),
                cli.parent_window,
                cli.verbose,
            ),
            None => {
                eprintln!("vss-agent is started by the browser (native messaging) or as `vss-agent serve`.");
                ExitCode::from(2)
            }
        },
    }
}

/// Tells the browser why the host cannot serve, in the protocol, then exits.
fn fail_native(err: &Error, lang: vss_protocol::Lang) -> ExitCode {
    let frame = serde_json::to_vec(&early_failure("", err, lang)).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = vss_agent::native_host::framing::write_frame(&mut out, &frame);
    let _ = out.flush();
    ExitCode::FAILURE
}

fn native(
    caller: &str,
    firefox_extension: Option<&str>,
    parent_window: Option<String>,
    verbose: bool,
) -> ExitCode {
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => return fail_native(&err, vss_protocol::Lang::Vi),
    };
    let _log = logging::init(&config, "vss-agent", verbose);
    let own_origin =
        match native_host::check_caller(caller, firefox_extension, &config.extension_ids) {
            Ok(origin) => origin,
            Err(err) => {
                tracing::warn!(caller, "refusing an unknown extension");
                return fail_native(&err, config.lang);
            }
        };
    let protocol_out = match native_host::stdio::take_protocol_stdout() {
        Ok(out) => out,
        Err(e) => return fail_native(&Error::internal(e), config.lang),
    };
    tracing::info!(caller, "native host started");
    let mut service = Service::new(config);
    service.parent_window = parent_window;
    native_host::serve(
        Arc::new(service),
        &own_origin,
        std::io::stdin().lock(),
        protocol_out,
    );
    ExitCode::SUCCESS
}

fn serve(port: Option<u16>, verbose: bool) -> ExitCode {
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{}", err.localize(vss_protocol::Lang::Vi).message);
            return ExitCode::FAILURE;
        }
    };
    let _log = logging::init(&config, "vss-agent-serve", verbose);
    let port = port.unwrap_or(config.serve.port);
    let local_token = if config.serve.allow_local_apps {
        match http::load_or_create_local_token() {
            Ok(token) => Some(Arc::new(token)),
            Err(e) => {
                eprintln!("cannot create the local bearer token: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let state = HttpState {
        service: Arc::new(Service::new(config)),
        port,
        local_token,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(http::serve(state)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vss-agent serve: {e}");
            ExitCode::FAILURE
        }
    }
}
