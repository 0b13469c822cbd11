//! Launcher: a desktop window (`--features desktop`), a phone app (`--features
//! mobile`, built with `dx`) or the browser app (`--features web` for
//! `wasm32-unknown-unknown`, built by scripts/build-web.sh; see the README). The app
//! itself is `zaofaxian_mobile::app::App`; these files only find its data and start it.

#[cfg(target_arch = "wasm32")]
#[path = "launch/browser.rs"]
mod launch;
#[cfg(not(target_arch = "wasm32"))]
#[path = "launch/native.rs"]
mod launch;

fn main() {
    launch::main();
}
