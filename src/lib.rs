//! rearview: a review workstation for changes that landed without
//! independent review. The binary is a thin shell over these modules; see
//! the README's architecture section for how they fit together.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod config;
pub mod forge;
pub mod inspect;
pub mod jobs;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod release;
pub mod render;
pub mod repo;
pub mod report;
pub mod store;
pub mod triage;
pub mod tui;
