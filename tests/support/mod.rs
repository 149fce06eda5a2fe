//! Helpers shared by the integration tests.
pub mod bigrepo;
pub mod fake_github;
