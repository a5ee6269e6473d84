//! The use cases' one error type: a named problem with a stable code and its data, never a
//! sentence. The JSON API renders it as problem+json, the web pages in the visitor's language,
//! the command line in English; each from the same catalogue.

use std::fmt;

use ketnoi_domain::i18n::{Args, Language, Message};
use ketnoi_domain::import::ImportErrors;
use ketnoi_domain::rules::{Refusal, Resource};
use ketnoi_domain::validate::{FieldError, Issue, ValidationErrors};
use ketnoi_store::StoreError;

/// What was tried too often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    SignIn,
    Password,
    Registration,
    Invitation,
}

impl Attempt {
    fn key(self) -> &'static str {
        match self {
            Attempt::SignIn => "too-many-attempts.sign-in",
            Attempt::Password => "too-many-attempts.password",
            Attempt::Registration => "too-many-attempts.registration",
            Attempt::Invitation => "too-many-attempts.invitation",
        }
    }
}

/// A use case could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    /// Not there, or not the caller's to see: the two answer alike, so that ids cannot be probed.
    NotFound(Resource),
    /// Nobody is signed in.
    Unauthenticated,
    /// A bearer token that is not live.
    InvalidToken,
    /// A sign-in with a wrong e-mail or password (which of the two is not said).
    WrongCredentials,
    TooManyAttempts {
        what: Attempt,
        retry_after: u64,
    },
    /// Fields of the input are invalid.
    Invalid(ValidationErrors),
    /// Rows of an import are invalid; nothing was written.
    Import(ImportErrors),
    /// A rule of the domain refused it.
    Refused(Refusal),
    /// Another writer changed the same thing first.
    Conflict,
    /// The database cannot be reached.
    Unavailable,
    /// The disk under the database is full: nothing was written.
    StorageFull,
    /// A failure of ours, logged where it happened.
    Internal,
}

/// How a problem is answered, whatever shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    NotFound,
    Unauthenticated,
    Invalid,
    Conflict,
    TooMany,
    Unavailable,
    StorageFull,
    Internal,
}

impl AppError {
    /// The stable kebab-case code, the last part of the problem's `type`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not-found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidToken => "invalid-token",
            AppError::WrongCredentials => "wrong-credentials",
            AppError::TooManyAttempts { .. } => "too-many-attempts",
            AppError::Invalid(_) => "invalid-field",
            AppError::Import(_) => "import-problems",
            AppError::Refused(refusal) => refusal.code(),
            AppError::Conflict => "conflict",
            AppError::Unavailable => "unavailable",
            AppError::StorageFull => "storage-full",
            AppError::Internal => "internal",
        }
    }

    pub fn kind(&self) -> ProblemKind {
        match self {
            AppError::NotFound(_) => ProblemKind::NotFound,
            AppError::Unauthenticated | AppError::InvalidToken | AppError::WrongCredentials => {
                ProblemKind::Unauthenticated
            }
            AppError::TooManyAttempts { .. } => ProblemKind::TooMany,
            AppError::Invalid(_) | AppError::Import(_) => ProblemKind::Invalid,
            AppError::Refused(refusal) if refusal.is_invalid_input() => ProblemKind::Invalid,
            AppError::Refused(_) | AppError::Conflict => ProblemKind::Conflict,
            AppError::Unavailable => ProblemKind::Unavailable,
            AppError::StorageFull => ProblemKind::StorageFull,
            AppError::Internal => ProblemKind::Internal,
        }
    }

    /// One field's issue.
    pub fn invalid(field: impl Into<String>, issue: Issue) -> AppError {
        AppError::Invalid(ValidationErrors::single(field, issue))
    }

    /// The fields of the input that are wrong, each with its issue: for invalid input, and for
    /// a refusal about one field (`to`, `slot`).
    pub fn fields(&self) -> Vec<FieldProblem<'_>> {
        match self {
            AppError::Invalid(errors) => errors
                .0
                .iter()
                .map(|e| FieldProblem { field: e.field.clone(), what: FieldWhat::Issue(&e.issue) })
                .collect(),
            AppError::Refused(refusal) => refusal
                .field()
                .map(|field| FieldProblem { field: field.to_owned(), what: FieldWhat::Refusal(refusal) })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// One problem of each kind, refusals included, for tests that every language writes
    /// every problem.
    pub fn samples() -> Vec<AppError> {
        let mut samples = vec![
            AppError::NotFound(Resource::Organization),
            AppError::Unauthenticated,
            AppError::InvalidToken,
            AppError::WrongCredentials,
            AppError::Invalid(ValidationErrors(vec![FieldError {
                field: "sectors".to_owned(),
                issue: Issue::UnknownTerm {
                    term: ketnoi_domain::taxonomy::Term::Sector,
                    value: "fintek".to_owned(),
                    suggestion: Some("fintech".to_owned()),
                },
            }])),
            AppError::Import(ImportErrors {
                issues: vec![ketnoi_domain::import::ImportIssue {
                    file: "startups".to_owned(),
                    line: Some(3),
                    column: Some("sectors".to_owned()),
                    value: Some("fintek".to_owned()),
                    issue: Issue::MissingColumn,
                }],
                total: 1,
            }),
            AppError::Conflict,
            AppError::Unavailable,
            AppError::StorageFull,
            AppError::Internal,
        ];
        for what in [Attempt::SignIn, Attempt::Password, Attempt::Registration, Attempt::Invitation] {
            samples.push(AppError::TooManyAttempts { what, retry_after: 60 });
        }
        samples.extend(Refusal::samples().into_iter().map(AppError::Refused));
        samples
    }
}

/// What is wrong with a field: an issue with its value, or a refusal about it.
#[derive(Debug, Clone, Copy)]
pub enum FieldWhat<'a> {
    Issue(&'a Issue),
    Refusal(&'a Refusal),
}

/// A field of the input and what is wrong with it.
#[derive(Debug, Clone)]
pub struct FieldProblem<'a> {
    pub field: String,
    pub what: FieldWhat<'a>,
}

impl FieldProblem<'_> {
    /// What is wrong, in `language`.
    pub fn text(&self, language: Language) -> String {
        match self.what {
            FieldWhat::Issue(issue) => issue.text(language),
            FieldWhat::Refusal(refusal) => refusal.text(language),
        }
    }

    /// The issue's or refusal's code.
    pub fn code(&self) -> &'static str {
        match self.what {
            FieldWhat::Issue(issue) => issue.code(),
            FieldWhat::Refusal(refusal) => refusal.code(),
        }
    }
}

impl Message for AppError {
    fn namespace(&self) -> &'static str {
        match self {
            AppError::Refused(refusal) => refusal.namespace(),
            _ => "problem",
        }
    }

    fn key(&self) -> &'static str {
        match self {
            AppError::Refused(refusal) => refusal.key(),
            AppError::TooManyAttempts { what, .. } => what.key(),
            other => other.code(),
        }
    }

    fn args(&self, language: Language) -> Args {
        match self {
            AppError::NotFound(resource) => vec![("resource", resource.label(language).to_owned())],
            AppError::TooManyAttempts { retry_after, .. } => vec![("retry_after", retry_after.to_string())],
            AppError::Invalid(errors) => {
                let fields: Vec<String> =
                    errors.0.iter().map(|e| format!("{}: {}", e.field, e.issue.text(language))).collect();
                vec![("fields", fields.join("; "))]
            }
            AppError::Import(errors) => {
                let problems: Vec<String> = errors.issues.iter().map(|issue| issue_text(issue, language)).collect();
                let more = errors.total.saturating_sub(errors.issues.len());
                let mut text = problems.join("; ");
                if more > 0 {
                    text.push_str(&format!(" (+{more})"));
                }
                vec![("problems", text)]
            }
            AppError::Refused(refusal) => refusal.args(language),
            AppError::Unauthenticated
            | AppError::InvalidToken
            | AppError::WrongCredentials
            | AppError::Conflict
            | AppError::Unavailable
            | AppError::StorageFull
            | AppError::Internal => Vec::new(),
        }
    }
}

/// One import problem, placed by file, line and column, in `language`.
pub fn issue_text(issue: &ketnoi_domain::import::ImportIssue, language: Language) -> String {
    let line = issue.line.map(|l| format!(":{l}")).unwrap_or_default();
    let column = issue.column.as_ref().map(|c| format!(":{c}")).unwrap_or_default();
    format!("{}{line}{column}: {}", issue.file, issue.issue.text(language))
}

impl fmt::Display for AppError {
    /// In English: for logs and the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The command line lists an import's problems one per line, as it always has.
            AppError::Import(errors) => write!(f, "import rejected, nothing was written:\n{errors}"),
            other => f.write_str(&other.text(Language::En)),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { what } => AppError::NotFound(what),
            StoreError::Refused(refusal) => AppError::Refused(*refusal),
            StoreError::Duplicate => AppError::Conflict,
            StoreError::Invalid(errors) => AppError::Invalid(errors),
            StoreError::Import(errors) => AppError::Import(errors),
            StoreError::Unavailable(detail) => {
                tracing::error!(%detail, "database unavailable");
                AppError::Unavailable
            }
            StoreError::Full(detail) => {
                tracing::error!(%detail, "the database's disk is full");
                AppError::StorageFull
            }
            internal @ (StoreError::Corrupt(_) | StoreError::Database(_)) => {
                tracing::error!(error = %internal, "internal error");
                AppError::Internal
            }
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        AppError::Refused(refusal)
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Invalid(errors)
    }
}

/// A failure of ours (a task that panicked, an index that failed): logged, and answered as
/// [`AppError::Internal`].
pub(crate) fn internal(error: impl fmt::Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_reads_in_every_language() {
        let samples = AppError::samples();
        let mut codes: Vec<&str> = samples.iter().map(AppError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        // Every variant has a sample, and every refusal: 12 kinds of problem, one of them
        // a refusal of many kinds.
        assert_eq!(codes.len(), 11 + Refusal::samples().len(), "{codes:?}");
        for problem in &samples {
            let key = format!("{}.{}", problem.namespace(), problem.key());
            assert!(ketnoi_domain::i18n::has(&key), "{} has no text", problem.code());
            for language in Language::ALL {
                let text = problem.text(language);
                assert!(!text.is_empty() && !text.contains('{'), "{}: {text}", problem.code());
            }
        }
    }

    #[test]
    fn names_keep_their_words_in_every_language() {
        let busy = AppError::Refused(Refusal::ParticipantBusy {
            slot: "d1-0940".to_owned(),
            at: "09:40 23/11".to_owned(),
            organization: ketnoi_domain::rules::Named { id: 7, name: "Sen and Lotus Ventures".to_owned() },
            meeting: 9,
            table: 3,
            with: "An Khang Foods".to_owned(),
        });
        let vietnamese = busy.text(Language::Vi);
        assert!(vietnamese.contains("\"Sen and Lotus Ventures\""), "{vietnamese}");
        assert!(!vietnamese.contains("Sen và Lotus"), "{vietnamese}");
    }
}
