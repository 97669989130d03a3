//! How the schema is built for each environment.

use crate::limits::Limits;

/// What differs between a developer's laptop and production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub limits: Limits,
    /// Whether `__schema` and `__type` answer: the schema, described to anyone who asks.
    pub introspection: bool,
}

impl Config {
    /// On a laptop: the same limits as production, and introspection on for the tools
    /// (GraphiQL, code generators) that read the schema.
    pub fn development() -> Self {
        Self { limits: Limits::default(), introspection: true }
    }

    // ANCHOR: production
    /// In production the schema is published as a file (the SDL snapshot of step 2) to
    /// the clients that need it; the live endpoint does not hand it to strangers.
    pub fn production() -> Self {
        Self { limits: Limits::default(), introspection: false }
    }
    // ANCHOR_END: production
}
