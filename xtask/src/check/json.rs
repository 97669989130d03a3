//! `cargo xtask check --json`: one JSON document on stdout, for editors, CI and
//! facilitators, while the human report goes to stderr. Modelled on exercism's
//! test-runner interface (a status, a message, tests with their own status and
//! message), one level deeper: labs hold steps, steps hold tests. The schema is in
//! CONTRIBUTING.md; `version` changes when a field changes meaning or goes away.

use serde::Serialize;

use crate::lab::Lab;
use crate::testrun::TestResult;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Document {
    pub version: u32,
    /// `pass` when every lab checked passes, `fail` when a test fails, `error` when a
    /// lab could not be built or run.
    pub status: Status,
    pub labs: Vec<LabReport>,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Error,
}

#[derive(Serialize)]
pub struct LabReport {
    /// The lab's folder, `01-frameworks`.
    pub lab: String,
    pub title: String,
    pub status: Status,
    /// Why a lab is `error` (a compiler error, a broken manifest), or what a `fail` needs first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The number (from 1) of the first step that is not done, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_failing_step: Option<usize>,
    /// Where the failure the text report explains was raised, `path:line:col` from the
    /// workbook's root: a `todo!()` in the learner's code, or the test's assertion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_failure_at: Option<String>,
    pub steps: Vec<StepReport>,
}

#[derive(Serialize)]
pub struct StepReport {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub status: Status,
    /// The book page that teaches it, relative to `book/`.
    pub section: String,
    pub tests: Vec<TestReport>,
}

#[derive(Serialize)]
pub struct TestReport {
    pub name: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl LabReport {
    /// A lab that could not be checked, with the reason.
    pub fn error(name: &str, title: &str, message: String) -> Self {
        Self {
            lab: name.to_owned(),
            title: title.to_owned(),
            status: Status::Error,
            message: Some(message),
            first_failing_step: None,
            first_failure_at: None,
            steps: Vec::new(),
        }
    }
}

impl StepReport {
    pub fn new(lab: &Lab, index: usize, tests: &[&TestResult], done: bool) -> Self {
        let step = &lab.manifest.steps[index];
        Self {
            number: index + 1,
            id: step.id.clone(),
            title: step.title.clone(),
            status: if done { Status::Pass } else { Status::Fail },
            section: step.section.clone(),
            tests: tests.iter().map(|t| TestReport::new(t)).collect(),
        }
    }
}

impl TestReport {
    fn new(result: &TestResult) -> Self {
        let passed = result.passed();
        Self {
            name: result.name.clone(),
            status: if passed { Status::Pass } else { Status::Fail },
            message: if passed { None } else { Some(result.why()) },
        }
    }
}
