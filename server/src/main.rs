use std::process::ExitCode;

fn main() -> ExitCode {
    zaofaxian_server::cli::main_with(std::env::args_os())
}
