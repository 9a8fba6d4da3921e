//! `stripe-handshake`: the command line (see the library's documentation and `--help`).

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Ok(args) = std::env::args_os().skip(1).map(std::ffi::OsString::into_string).collect::<Result<Vec<_>, _>>()
    else {
        let _ = writeln!(std::io::stderr(), "error: an argument is not valid UTF-8: pass paths and values as UTF-8");
        return ExitCode::from(2);
    };
    ExitCode::from(stripe_handshake_cli::run(&args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock()))
}
