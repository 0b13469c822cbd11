//! The server's own entry point, built inside this crate so that the fault tests can
//! start it as a separate process (`CARGO_BIN_EXE_…`) and kill it with SIGKILL.

fn main() -> std::process::ExitCode {
    zaofaxian_server::cli::main_with(std::env::args_os())
}
