//! Step 1: the domain, tested without HTTP. Read «The domain comes first».

use frameworks::domain::{
    FieldError, MAX_TITLE_CHARS, Priority, PriorityError, TaskDraft, TaskTitle, TitleError,
};
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
fn control_characters_beyond_ascii_are_rejected() {
    // A newline inside, and two C1 controls (NEL, APC) that an ASCII-only check misses.
    for raw in ["two\nlines", "next\u{85}line", "app\u{9f}mode"] {
        assert_eq!(
            TaskTitle::parse(raw),
            Err(TitleError::ControlCharacter),
            "{raw:?} holds a control character inside it and must be refused; Unicode has control characters \
             outside ASCII too. Read «{SECTION}»."
        );
    }
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
    for raw in ["urgent", "", "hi", "highest", "lowly", "normal-ish"] {
        assert!(
            Priority::parse(raw).is_err(),
            "{raw:?} is not a priority and must be refused. Read «{SECTION}»."
        );
    }
}

#[test]
fn draft_reports_every_invalid_field_at_once() {
    let draft =
        TaskDraft { title: Some("   ".into()), priority: Some("urgent".into()), ..TaskDraft::default() };
    let errors = draft.validate().err().unwrap_or_else(|| {
        panic!("a blank title and an unknown priority must not validate. Read «{SECTION}».")
    });
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["title", "priority"],
        "validate() reports every bad field, in order, not just the first. Read «{SECTION}»."
    );
}

#[test]
fn draft_without_priority_is_normal() {
    let draft = TaskDraft { title: Some("Water plants".into()), ..TaskDraft::default() };
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

#[test]
fn field_errors_carry_the_domain_messages() {
    let draft = TaskDraft { title: Some("".into()), priority: Some("soon".into()), ..TaskDraft::default() };
    let errors = draft.validate().err().unwrap_or_default();
    assert_eq!(
        errors,
        [
            FieldError::new("title", TitleError::Blank.to_string()),
            FieldError::new("priority", PriorityError.to_string())
        ],
        "each field error's message is the domain error's own text (its Display), written for the client. Read «{SECTION}»."
    );
}

#[test]
fn one_bad_field_is_reported_alone() {
    let draft = TaskDraft {
        title: Some("Fine title".into()),
        priority: Some("urgent".into()),
        ..TaskDraft::default()
    };
    let fields: Vec<String> =
        draft.validate().err().unwrap_or_default().into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        ["priority"],
        "a good title with an unknown priority is one error, on `priority`. Read «{SECTION}»."
    );
}

/// A draft as the extractor will build it from a request body.
fn draft_from(json: &str) -> TaskDraft {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("the test's JSON {json} is not a draft: {e}"))
}

// ANCHOR: unknown_fields
#[test]
fn unknown_fields_are_refused_by_name() {
    let fields = |json: &str| -> Option<Vec<String>> {
        draft_from(json).validate().err().map(|errors| errors.into_iter().map(|e| e.field).collect())
    };
    assert_eq!(
        fields(r#"{"title": "Ship it", "done": true}"#),
        Some(vec!["done".to_owned()]),
        "a field a task does not have (`done`) is an error naming it, not something to ignore: the client \
         believes it set something. Read «{SECTION}»."
    );
    assert_eq!(
        fields(r#"{"titel": "Ship it"}"#),
        Some(vec!["title".to_owned(), "titel".to_owned()]),
        "a misspelt title is two errors: `title` is missing, and `titel` is not a field. Read «{SECTION}»."
    );
    assert_eq!(
        fields(r#"{"title": "Ship it", "priorty": "high"}"#).as_deref(),
        Some(&["priorty".to_owned()][..]),
        "a misspelt optional field must not fall back to the default in silence. Read «{SECTION}»."
    );
}
// ANCHOR_END: unknown_fields

#[test]
fn a_missing_title_is_an_error_on_title() {
    let fields: Vec<String> = draft_from(r#"{"priority": "low"}"#)
        .validate()
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["title"], "a draft without a title cannot become a task. Read «{SECTION}».");
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
