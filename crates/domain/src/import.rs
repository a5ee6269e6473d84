//! The CSV import contract: headers, `;`-separated lists, and every problem reported with the
//! file, line, column and value, so that an organiser can fix a spreadsheet in one pass.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::profile::{InvestorInput, Profile, StartupInput, ValidationContext};
use crate::text::{fold, nearest};
use crate::validate::Issue;

/// The startups file's columns, in the documented order.
pub const STARTUP_COLUMNS: [&str; 12] = [
    "name",
    "sectors",
    "stage",
    "country",
    "province",
    "funding_ask",
    "currency",
    "founded",
    "team_size",
    "website",
    "email",
    "description",
];

/// The investors file's columns, in the documented order.
pub const INVESTOR_COLUMNS: [&str; 11] = [
    "name",
    "investor_type",
    "sectors",
    "stages",
    "ticket_min",
    "ticket_max",
    "currency",
    "countries",
    "website",
    "email",
    "thesis",
];

/// The columns a startups file must have; the others may be left out.
pub const STARTUP_REQUIRED: [&str; 3] = ["name", "sectors", "stage"];

/// The columns an investors file must have; the others may be left out.
pub const INVESTOR_REQUIRED: [&str; 4] = ["name", "investor_type", "sectors", "stages"];

/// One example row of the startups file, for its template, in [`STARTUP_COLUMNS`] order.
pub const STARTUP_EXAMPLE: [&str; 12] = [
    "Cảng Số",
    "logistics;maritime",
    "seed",
    "VN",
    "Hải Phòng",
    "5000000000",
    "VND",
    "2021",
    "14",
    "https://cangso.vn",
    "contact@cangso.vn",
    "Nền tảng kết nối chủ hàng và nhà xe tại cảng Hải Phòng.",
];

/// One example row of the investors file, for its template, in [`INVESTOR_COLUMNS`] order.
pub const INVESTOR_EXAMPLE: [&str; 11] = [
    "Sông Hồng Angels",
    "angel",
    "agritech;food",
    "pre-seed;seed",
    "200000000",
    "2000000000",
    "VND",
    "VN",
    "https://songhong.vn",
    "deal@songhong.vn",
    "Nông nghiệp sạch và thực phẩm vùng đồng bằng sông Hồng.",
];

/// At most this many problems are listed for one file; the rest are counted.
pub const MAX_REPORTED_ISSUES: usize = 50;

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    pub file: String,
    /// 1-based line in the file, the header being line 1.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    #[serde(flatten)]
    pub issue: Issue,
}

impl fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ": column {column}")?;
        }
        if let Some(value) = &self.value {
            let shown: String = value.chars().take(60).collect();
            let ellipsis = if shown.len() < value.len() { "…" } else { "" };
            write!(f, " = {shown:?}{ellipsis}")?;
        }
        write!(f, ": {}", self.issue)
    }
}

/// A file's problems: the first [`MAX_REPORTED_ISSUES`] and how many there were in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct ImportErrors {
    pub issues: Vec<ImportIssue>,
    pub total: usize,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for issue in &self.issues {
            writeln!(f, "{issue}")?;
        }
        if self.total > self.issues.len() {
            writeln!(f, "… and {} more problems", self.total - self.issues.len())?;
        }
        Ok(())
    }
}

impl ImportErrors {
    fn new() -> Self {
        ImportErrors { issues: Vec::new(), total: 0 }
    }

    fn push(&mut self, issue: ImportIssue) {
        self.total += 1;
        if self.issues.len() < MAX_REPORTED_ISSUES {
            self.issues.push(issue);
        }
    }

    /// Both files' problems together.
    pub fn merge(mut self, other: ImportErrors) -> Self {
        self.total += other.total;
        self.issues.extend(other.issues);
        self.issues.truncate(MAX_REPORTED_ISSUES);
        self
    }
}

/// A valid row and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub profile: Profile,
    /// The columns the file leaves out: an update keeps what the record has for them.
    pub absent: Vec<&'static str>,
}

/// Parses and validates a startups file; all rows or the list of problems.
pub fn parse_startups(
    file: &str,
    bytes: &[u8],
    context: &ValidationContext<'_>,
) -> Result<Vec<ImportRow>, ImportErrors> {
    parse(file, bytes, &STARTUP_COLUMNS, &STARTUP_REQUIRED, |cells| {
        let cell = |name: &str| cells.get(name).cloned().unwrap_or_default();
        StartupInput {
            name: cell("name"),
            sectors: cell("sectors"),
            stage: cell("stage"),
            country: cell("country"),
            province: cell("province"),
            funding_ask: cell("funding_ask"),
            currency: cell("currency"),
            founded: cell("founded"),
            team_size: cell("team_size"),
            website: cell("website"),
            email: cell("email"),
            description: cell("description"),
        }
        .validate(context)
    })
}

/// Parses and validates an investors file; all rows or the list of problems.
pub fn parse_investors(
    file: &str,
    bytes: &[u8],
    context: &ValidationContext<'_>,
) -> Result<Vec<ImportRow>, ImportErrors> {
    parse(file, bytes, &INVESTOR_COLUMNS, &INVESTOR_REQUIRED, |cells| {
        let cell = |name: &str| cells.get(name).cloned().unwrap_or_default();
        InvestorInput {
            name: cell("name"),
            investor_type: cell("investor_type"),
            sectors: cell("sectors"),
            stages: cell("stages"),
            ticket_min: cell("ticket_min"),
            ticket_max: cell("ticket_max"),
            currency: cell("currency"),
            countries: cell("countries"),
            website: cell("website"),
            email: cell("email"),
            thesis: cell("thesis"),
        }
        .validate(context)
    })
}

/// Reads a file of `columns` in any order: the `required` ones must be there, the others may be
/// left out; a column the file has and the contract does not is ignored, unless its name is a
/// misspelling of a required column the file lacks.
fn parse(
    file: &str,
    bytes: &[u8],
    columns: &[&'static str],
    required: &[&'static str],
    validate: impl Fn(&HashMap<&'static str, String>) -> Result<Profile, crate::validate::ValidationErrors>,
) -> Result<Vec<ImportRow>, ImportErrors> {
    let mut errors = ImportErrors::new();
    let issue = |line: Option<u64>, column: Option<&str>, value: Option<String>, issue: Issue| ImportIssue {
        file: file.to_owned(),
        line,
        column: column.map(str::to_owned),
        value,
        issue,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        errors.push(issue(None, None, None, Issue::EmptyFile { header: columns.join(",") }));
        return Err(errors);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => {
            errors.push(issue(Some(1), None, None, Issue::UnreadableCsv { detail: error.to_string() }));
            return Err(errors);
        }
        None => {
            errors.push(issue(None, None, None, Issue::NoHeader));
            return Err(errors);
        }
    };
    let mut positions: HashMap<&'static str, usize> = HashMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for (index, raw) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            errors.push(issue(Some(1), None, None, Issue::NotUtf8));
            return Err(errors);
        };
        let name = name.trim();
        match columns.iter().find(|column| **column == fold(name).replace(' ', "_")) {
            Some(column) if positions.contains_key(column) => {
                errors.push(issue(Some(1), Some(column), None, Issue::ColumnTwice));
            }
            Some(column) => {
                positions.insert(column, index);
            }
            None => unknown.push(name.to_owned()),
        }
    }
    for column in required {
        if positions.contains_key(column) {
            continue;
        }
        // A misspelt header names the column it was meant to be.
        let misspelt = unknown.iter().find(|name| nearest(name, [*column]).is_some());
        match misspelt {
            Some(name) => {
                let unknown =
                    Issue::UnknownColumn { suggestion: Some((*column).to_owned()), expected: columns.join(",") };
                errors.push(issue(Some(1), Some(name), None, unknown));
            }
            None => errors.push(issue(Some(1), Some(column), None, Issue::MissingColumn)),
        }
    }
    if errors.total > 0 {
        return Err(errors);
    }
    let absent: Vec<&'static str> = columns.iter().copied().filter(|c| !positions.contains_key(c)).collect();

    let mut lines = LineCounter { bytes, offset: 0, line: 1 };
    let mut rows = Vec::new();
    let mut seen_names: HashMap<String, u64> = HashMap::new();
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map(|p| lines.line_at(p.byte()));
                errors.push(issue(line, None, None, Issue::UnreadableCsv { detail: error.kind_message() }));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != header.len() {
            errors.push(issue(Some(line), None, None, Issue::CellCount { got: record.len(), expected: header.len() }));
            continue;
        }
        let mut cells: HashMap<&'static str, String> = HashMap::with_capacity(columns.len());
        let mut readable = true;
        for (column, index) in &positions {
            match std::str::from_utf8(&record[*index]) {
                Ok(text) => {
                    cells.insert(column, text.to_owned());
                }
                Err(_) => {
                    let shown = String::from_utf8_lossy(&record[*index]).into_owned();
                    errors.push(issue(Some(line), Some(column), Some(shown), Issue::NotUtf8));
                    readable = false;
                }
            }
        }
        if !readable {
            continue;
        }
        match validate(&cells) {
            Ok(profile) => {
                let mut duplicate = |key: String, seen: &mut HashMap<String, u64>, column: &str, value: &str| {
                    if let Some(first) = seen.insert(key, line) {
                        let same = Issue::SameAsLine { column: column.to_owned(), line: first };
                        errors.push(issue(Some(line), Some(column), Some(value.to_owned()), same));
                    }
                };
                duplicate(fold(&profile.name), &mut seen_names, "name", &profile.name);
                if let Some(email) = &profile.email {
                    duplicate(email.as_str().to_owned(), &mut seen_emails, "email", email.as_str());
                }
                rows.push(ImportRow { line, profile, absent: absent.clone() });
            }
            Err(invalid) => {
                for field in invalid.0 {
                    let value = cells.get(field.field.as_str()).cloned();
                    errors.push(issue(Some(line), Some(&field.field), value, field.issue));
                }
            }
        }
    }
    if errors.total > 0 { Err(errors) } else { Ok(rows) }
}

/// Turns byte offsets into 1-based line numbers; the csv crate's own line count skips blank
/// lines. Offsets must be asked for in increasing order.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = usize::try_from(byte).unwrap_or(usize::MAX).min(self.bytes.len());
        // A record's position can point at the blank lines skipped before it.
        while matches!(self.bytes.get(target), Some(b'\r' | b'\n')) {
            target += 1;
        }
        if target > self.offset {
            self.line += self.bytes[self.offset..target].iter().filter(|b| **b == b'\n').count() as u64;
            self.offset = target;
        }
        self.line
    }
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for csv::Error {
    fn kind_message(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
            _ => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Rates;

    const HEADER: &str =
        "name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description\n";

    fn context(rates: &Rates) -> ValidationContext<'_> {
        ValidationContext { current_year: 2026, rates: Some(rates) }
    }

    fn startups(body: &str) -> Result<Vec<ImportRow>, ImportErrors> {
        let rates = Rates::vietnam_default();
        parse_startups("startups.csv", format!("{HEADER}{body}").as_bytes(), &context(&rates))
    }

    fn only_issue(result: Result<Vec<ImportRow>, ImportErrors>) -> ImportIssue {
        let errors = result.unwrap_err();
        assert_eq!(errors.total, 1, "{errors}");
        errors.issues[0].clone()
    }

    #[test]
    fn reads_good_rows_with_line_numbers() {
        let rows = startups(
            "Cảng Số,logistics;Kinh tế biển,seed,VN,Hải Phòng,500000000,VND,2021,12,cangso.vn,contact@cangso.vn,\"Nền tảng số, cho cảng\"\n\
             \n\
             Đồng Xanh,nong nghiep,pre-seed,VN,,,,,,,,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[0].profile.description, "Nền tảng số, cho cảng");
    }

    #[test]
    fn bad_cell_names_file_line_column_and_value() {
        let issue = only_issue(startups("A,fintech,seed,VN,,-5,USD,,,,,\n"));
        assert_eq!(issue.to_string(), "startups.csv:2: column funding_ask = \"-5\": must be greater than 0, got -5");
        let issue = only_issue(startups("A,fintek,seed,VN,,,,,,,,\n"));
        assert_eq!(issue.column.as_deref(), Some("sectors"));
        assert!(issue.issue.to_string().contains("did you mean \"fintech\""), "{issue}");
    }

    #[test]
    fn missing_or_misspelt_header() {
        let rates = Rates::vietnam_default();
        let errors = parse_startups("s.csv", b"name,sector,stage\n", &context(&rates)).unwrap_err();
        let text = errors.to_string();
        assert!(text.contains("column sector: unknown column (did you mean \"sectors\"?)"), "{text}");
        assert_eq!(errors.total, 1, "optional columns may be left out: {text}");
        let errors = parse_startups("s.csv", b"name,sectors\n", &context(&rates)).unwrap_err();
        assert!(errors.to_string().contains("column stage: missing column"), "{errors}");
    }

    #[test]
    fn columns_in_any_order_with_extra_ones_and_optional_ones_left_out() {
        let rates = Rates::vietnam_default();
        let file = "Ghi chú,stage,Name,sectors,funding_ask,currency,Số điện thoại\n\
                    gọi lại,seed,Cảng Số,logistics,5000000000,VND,0912345678\n";
        let rows = parse_startups("s.csv", file.as_bytes(), &context(&rates)).expect("imports");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].profile.name, "Cảng Số");
        assert_eq!(rows[0].profile.province, "");
    }

    #[test]
    fn the_templates_examples_import() {
        let rates = Rates::vietnam_default();
        let startups = format!("{}\n{}\n", STARTUP_COLUMNS.join(","), STARTUP_EXAMPLE.join(","));
        assert_eq!(parse_startups("s.csv", startups.as_bytes(), &context(&rates)).expect("startups").len(), 1);
        let investors = format!("{}\n{}\n", INVESTOR_COLUMNS.join(","), INVESTOR_EXAMPLE.join(","));
        assert_eq!(parse_investors("i.csv", investors.as_bytes(), &context(&rates)).expect("investors").len(), 1);
    }

    #[test]
    fn empty_and_non_utf8_files() {
        let rates = Rates::vietnam_default();
        let issue = only_issue(parse_startups("s.csv", b"", &context(&rates)));
        assert!(matches!(issue.issue, Issue::EmptyFile { .. }), "{issue}");
        let latin1 = [HEADER.as_bytes(), b"N\xf4ng,agritech,seed,VN,,,,,,,,\n"].concat();
        let issue = only_issue(parse_startups("s.csv", &latin1, &context(&rates)));
        assert_eq!((issue.line, issue.column.as_deref()), (Some(2), Some("name")));
    }

    #[test]
    fn duplicates_within_a_file() {
        let issue = only_issue(startups("Cảng Số,logistics,seed,,,,,,,,,\nCANG SO,logistics,seed,,,,,,,,,\n"));
        assert_eq!(issue.issue.to_string(), "same name as line 2");
        assert_eq!(issue.line, Some(3));
    }

    #[test]
    fn wrong_cell_count() {
        let issue = only_issue(startups("A,fintech,seed\n"));
        assert_eq!(issue.issue, Issue::CellCount { got: 3, expected: 12 });
    }

    #[test]
    fn header_may_have_bom_and_any_order() {
        let rates = Rates::vietnam_default();
        let file = "\u{feff}stage,name,sectors,country,province,funding_ask,currency,founded,team_size,website,email,description\nseed,A,ai,,,,,,,,,\n";
        let rows = parse_startups("s.csv", file.as_bytes(), &context(&rates)).unwrap();
        assert_eq!(rows[0].profile.name, "A");
    }

    #[test]
    fn investors_ticket_order() {
        let rates = Rates::vietnam_default();
        let file = "name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis\n\
                    Fund,vc,fintech,seed,500,100,USD,VN,,,\n";
        let issue = only_issue(parse_investors("i.csv", file.as_bytes(), &context(&rates)));
        assert_eq!((issue.column.as_deref(), issue.value.as_deref()), (Some("ticket_min"), Some("500")));
    }

    #[test]
    fn caps_the_number_of_reported_issues() {
        let body: String = (0..120).map(|i| format!("S{i},nope,seed,,,,,,,,,\n")).collect();
        let errors = startups(&body).unwrap_err();
        assert_eq!((errors.issues.len(), errors.total), (MAX_REPORTED_ISSUES, 120));
        assert!(errors.to_string().ends_with("… and 70 more problems\n"));
    }
}
