//! Running the real `rearview` binary, isolated from the user's config and data.
#![allow(dead_code)] // each test crate that includes this uses a part of it

use std::process::{Command, Output};

pub fn rearview(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rearview"))
        .args(args)
        // Keep the user's real config and data out of the tests.
        .env("XDG_CONFIG_HOME", "/nonexistent-rearview-config")
        .env("XDG_DATA_HOME", std::env::temp_dir().join("rearview-test-data"))
        .output()
        .expect("run the rearview binary")
}
