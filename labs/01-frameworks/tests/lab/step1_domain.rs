//! Step 1: the domain, tested without HTTP. Read «The domain comes first».

use frameworks::domain::{MAX_TITLE_CHARS, Priority, TaskDraft, TaskTitle, TitleError};
use proptest::prelude::*;

const SECTION: &str = "The domain comes first (book/01-frameworks/domain.md)";

#[test]
fn title_is_trimmed() {
    let title = TaskTitle::parse("  Buy milk \n")
        .unwrap_or_else(|e| panic!("\"  Buy milk \\n\" is a valid title, got {e:?}. Read «{SECTION}»."));
    assert_eq!(
        title.as_str(),
        "Buy milk",
        "a title is stored without surrounding white space. Read «{SECTION}»."
    );
}

#[test]
fn blank_title_is_rejected() {
    for raw in ["", "   ", "\t\n"] {
        assert_eq!(
            TaskTitle::parse(raw),
            Err(TitleError::Blank),
            "the title {raw:?} is blank and must be refused with TitleError::Blank. Read «{SECTION}»."
        );
    }
}

#[test]
fn title_length_is_counted_in_characters() {
    let longest = "é".repeat(MAX_TITLE_CHARS);
    assert!(
        TaskTitle::parse(&longest).is_ok(),
        "{MAX_TITLE_CHARS} characters of \"é\" ({} bytes) is the longest valid title; count chars, not bytes. Read «{SECTION}».",
        longest.len()
    );
    let too_long = "é".repeat(MAX_TITLE_CHARS + 1);
    assert_eq!(
        TaskTitle::parse(&too_long),
        Err(TitleError::TooLong),
        "{} characters is one too many. Read «{SECTION}».",
        MAX_TITLE_CHARS + 1
    );
}

#[test]
fn length_is_counted_after_trimming() {
    let padded = format!("  {}  ", "é".repeat(MAX_TITLE_CHARS));
    assert!(
        TaskTitle::parse(&padded).is_ok(),
        "{MAX_TITLE_CHARS} characters with spaces around them is a valid title: trim first, then count. Read «{SECTION}»."
    );
}

#[test]
fn control_characters_are_rejected() {
    assert_eq!(
        TaskTitle::parse("ring\u{7}the bell"),
        Err(TitleError::ControlCharacter),
        "a title with a control character (here BEL) must be refused. Read «{SECTION}»."
    );
}

#[test]
fn priority_accepts_known_words_in_any_case() {
    let cases = [("low", Priority::Low), ("Normal", Priority::Normal), ("HIGH", Priority::High)];
    for (raw, expected) in cases {
        assert_eq!(
            Priority::parse(raw),
            Ok(expected),
            "{raw:?} should parse as {expected:?}. Read «{SECTION}»."
        );
    }
}

#[test]
fn priority_rejects_unknown_words() {
    for raw in ["urgent", "", "hi"] {
        assert!(
            Priority::parse(raw).is_err(),
            "{raw:?} is not a priority and must be refused. Read «{SECTION}»."
        );
    }
}

#[test]
fn draft_reports_every_invalid_field_at_once() {
    let draft = TaskDraft { title: "   ".into(), priority: Some("urgent".into()) };
    let errors = draft.validate().err().unwrap_or_else(|| {
        panic!("a blank title and an unknown priority must not validate. Read «{SECTION}».")
    });
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        ["title", "priority"],
        "validate() reports every bad field, in order, not just the first. Read «{SECTION}»."
    );
}

#[test]
fn draft_without_priority_is_normal() {
    let draft = TaskDraft { title: "Water plants".into(), priority: None };
    let task = draft
        .validate()
        .unwrap_or_else(|e| panic!("a title alone is a valid draft, got {e:?}. Read «{SECTION}»."));
    assert_eq!(task.title.as_str(), "Water plants");
    assert_eq!(
        task.priority,
        Priority::Normal,
        "a missing priority means Priority::Normal. Read «{SECTION}»."
    );
}

// ANCHOR: properties
proptest! {
    // Never write regression files into the lab: a learner's tree stays theirs.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// The rule, stated once for every string: valid exactly when the trimmed text is
    /// non-empty and short enough, and then the title is that trimmed text.
    #[test]
    fn title_rule_holds_for_any_printable_text(raw in "[ a-zA-Zé0-9]{0,130}") {
        let trimmed = raw.trim();
        let should_be_valid = !trimmed.is_empty() && trimmed.chars().count() <= MAX_TITLE_CHARS;
        match TaskTitle::parse(&raw) {
            Ok(title) => {
                prop_assert!(should_be_valid, "{raw:?} was accepted but breaks a rule. Read «{SECTION}».");
                prop_assert_eq!(title.as_str(), trimmed);
            }
            Err(_) => prop_assert!(!should_be_valid, "{raw:?} is a valid title but was refused. Read «{SECTION}»."),
        }
    }

    /// Whatever arrives, parsing answers (never panics), and what it accepts is clean.
    #[test]
    fn parse_never_panics_and_accepts_only_clean_titles(raw in any::<String>()) {
        if let Ok(title) = TaskTitle::parse(&raw) {
            let text = title.as_str();
            prop_assert!(!text.is_empty() && text.trim() == text, "accepted {raw:?} as {text:?}. Read «{SECTION}».");
            prop_assert!(text.chars().count() <= MAX_TITLE_CHARS);
            prop_assert!(!text.chars().any(char::is_control));
        }
    }
}
// ANCHOR_END: properties
