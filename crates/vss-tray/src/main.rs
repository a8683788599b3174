//! `vss-tray`: the background app. `vss-tray` starts it (a second start asks the running one to
//! show itself and ends), `vss-tray --autostart` is how the logon entry starts it (ends at once
//! when autostart is off), `vss-tray --quit` ends the running one.

use std::process::ExitCode;

use clap::Parser;
use vss_config::Config;

#[derive(Parser)]
#[command(
    name = "vss-tray",
    version,
    about = "VSS Token Signing — background app"
)]
struct Cli {
    /// Started at logon by the autostart entry.
    #[arg(long)]
    autostart: bool,
    /// Ask the running tray to quit.
    #[arg(long)]
    quit: bool,
    /// Also log to stderr.
    #[arg(long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            let body = err.localize(vss_protocol::Lang::Vi);
            eprintln!("vss-tray: {} — {}", body.message, body.hint);
            return ExitCode::FAILURE;
        }
    };
    let _log = vss_core::logging::init(&config, "vss-tray", cli.verbose);
    platform(config, &cli)
}

#[cfg(all(unix, not(target_os = "macos")))]
fn platform(config: Config, cli: &Cli) -> ExitCode {
    use vss_tray::linux;
    if cli.quit {
        return match linux::instance::request("Quit") {
            Ok(_) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("vss-tray: {err}");
                ExitCode::FAILURE
            }
        };
    }
    linux::run(config, cli.autostart)
}

#[cfg(windows)]
fn platform(config: Config, cli: &Cli) -> ExitCode {
    use vss_tray::windows;
    if cli.quit {
        return windows::request_quit();
    }
    windows::run(config, cli.autostart)
}
