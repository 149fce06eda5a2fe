//! UI-independent rendering of repository content: sanitizing untrusted
//! text, and the colour themes every view draws with.

pub mod sanitize;
pub mod theme;
