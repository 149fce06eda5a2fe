//! UI-independent rendering of repository content. For now: sanitizing
//! untrusted text; highlighting and hex views build on it.

pub mod sanitize;
