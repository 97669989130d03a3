//! The task domain: plain Rust types that parse their input once and can then be
//! trusted everywhere. Nothing here knows about HTTP, JSON bodies or status codes,
//! so every rule is tested with a plain `#[test]` in microseconds.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// The longest title a task may have, counted in characters (not bytes: "é" is one).
pub const MAX_TITLE_CHARS: usize = 120;

/// A task's identifier, assigned by the repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A title that has been checked: trimmed, not blank, not too long, printable.
/// The field is private, so the only way to get one is through [`TaskTitle::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TaskTitle(String);

/// Why a title was refused. The messages are written for the API's clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("must not be blank")]
    Blank,
    #[error("must be at most {MAX_TITLE_CHARS} characters")]
    TooLong,
    #[error("must not contain control characters")]
    ControlCharacter,
}

// ANCHOR: parse_title
impl TaskTitle {
    /// Parses a raw title: surrounding white space is dropped, then the rules apply.
    pub fn parse(raw: &str) -> Result<Self, TitleError> {
        todo!(
            "step 1: trim the title, then refuse it if blank, longer than MAX_TITLE_CHARS characters, or holding a control character. Read book/01-frameworks/domain.md"
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
// ANCHOR_END: parse_title

/// How urgent a task is. Unknown words are refused, never silently mapped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: low, normal, high")]
pub struct PriorityError;

// ANCHOR: priority
impl Priority {
    /// Parses `low`, `normal` or `high`, ignoring case.
    pub fn parse(raw: &str) -> Result<Self, PriorityError> {
        todo!(
            "step 1: accept low, normal, high in any case; refuse the rest. Read book/01-frameworks/domain.md"
        )
    }
}
// ANCHOR_END: priority

/// One field that failed validation, in the words a client can show to a person.
/// `field` is the name the client sent, which for an unknown field is not ours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

// ANCHOR: draft
/// What a client sends to create a task, before anything is checked.
/// Strings stay strings, a missing field is `None`, and members that are not fields of
/// a task are kept by name: `validate` decides what each of them means, in words we
/// wrote, instead of the deserializer deciding in its own.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TaskDraft {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    /// Every member the client sent that is not a field of a task (a typo such as
    /// `titel`, or a field this API does not have), by name; the values are skipped.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, IgnoredAny>,
}
// ANCHOR_END: draft

/// A task that passed validation and is ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTask {
    pub title: TaskTitle,
    pub priority: Priority,
}

/// A stored task, as the API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: TaskId,
    pub title: TaskTitle,
    pub priority: Priority,
}

// ANCHOR: validate
impl TaskDraft {
    /// Checks every field and reports all the problems at once, so a client can fix
    /// its form in one round trip instead of one error at a time.
    pub fn validate(self) -> Result<NewTask, Vec<FieldError>> {
        todo!(
            "step 1: turn the draft into a NewTask, or report every field that is wrong (missing, invalid or unknown) at once. Read book/01-frameworks/domain.md"
        )
    }
}
// ANCHOR_END: validate
