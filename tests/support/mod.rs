//! Helpers shared by the integration tests.
pub mod bigrepo;
pub mod binary;
pub mod bytes;
pub mod c_source;
pub mod fake_github;
pub mod signed_tags;
