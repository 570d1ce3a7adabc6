//! The `mhsim` command: parse arguments, dispatch, turn errors into exit codes
//! (2 = input to fix, 1 = failure while running, 3 = a calibration waits for a submitted job
//! array).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::execute(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<cli::Pending>().is_some() {
                std::process::ExitCode::from(3)
            } else if let Some(bad) = e.downcast_ref::<cli::BadInput>() {
                eprintln!("error: {bad}");
                std::process::ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                std::process::ExitCode::from(1)
            }
        }
    }
}
