//! The fuzz targets' bodies. They live in `checks.rs` so the stable test suite can
//! replay the seeds and every input that once failed (tests/tests/fuzz_replay.rs).

pub mod checks;
