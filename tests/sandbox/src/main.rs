//! `antonnia-sandbox`: runs the sandbox until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use antonnia_sandbox::Sandbox;
use antonnia_sandbox::cli::{self, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => *config,
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("antonnia-sandbox: {problem}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("antonnia-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The one line scripts and tests wait for; flushed so a pipe sees it now.
    println!("antonnia-sandbox listening on {}", sandbox.base_url());
    let _ = std::io::stdout().flush();
    wait_for_stop_signal().await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
