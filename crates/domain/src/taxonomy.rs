//! Sectors and stages: codes with Vietnamese and English labels, parsed from the code, either
//! label or a known alias, whatever the case and with or without diacritics.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::text::{fold, nearest};

pub use crate::i18n::Language;
use crate::validate::Issue;

/// Which taxonomy a term is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Term {
    Sector,
    Stage,
    InvestorType,
}

impl Term {
    /// The taxonomy's name in `language`, as a message uses it ("unknown sector").
    pub fn label(self, language: Language) -> &'static str {
        let code = self.code();
        crate::i18n::text(language, &format!("term.{code}")).unwrap_or(code)
    }

    /// The taxonomy's code, the prefix of its labels' keys: `sector`, `stage`, `investor-type`.
    pub fn code(self) -> &'static str {
        match self {
            Term::Sector => "sector",
            Term::Stage => "stage",
            Term::InvestorType => "investor-type",
        }
    }
}

/// A value that is not in the taxonomy, with the closest known code when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", Issue::from(self.clone()))]
pub struct UnknownTerm {
    pub term: Term,
    pub value: String,
    pub suggestion: Option<&'static str>,
}

impl From<UnknownTerm> for Issue {
    fn from(unknown: UnknownTerm) -> Issue {
        Issue::UnknownTerm {
            term: unknown.term,
            value: unknown.value,
            suggestion: unknown.suggestion.map(str::to_owned),
        }
    }
}

struct Entry<T> {
    value: T,
    code: &'static str,
    vi: &'static str,
    en: &'static str,
    aliases: &'static [&'static str],
}

/// The key a name is looked up by: folded, with `_` and spaces read as `-`.
fn term_key(name: &str) -> String {
    fold(name).replace(['_', ' '], "-")
}

/// Every code, label and alias of a taxonomy by its key, built once.
fn term_index<T: Copy>(terms: &[Entry<T>]) -> HashMap<String, T> {
    let mut index = HashMap::new();
    for term in terms {
        for name in [term.code, term.vi, term.en].iter().chain(term.aliases) {
            index.entry(term_key(name)).or_insert(term.value);
        }
    }
    index
}

fn parse_term<T: Copy>(
    term: Term,
    terms: &[Entry<T>],
    index: &HashMap<String, T>,
    input: &str,
) -> Result<T, UnknownTerm> {
    index.get(&term_key(input)).copied().ok_or_else(|| UnknownTerm {
        term,
        value: input.trim().to_owned(),
        suggestion: nearest(input, terms.iter().flat_map(|t| [t.code, t.vi, t.en]))
            .and_then(|name| terms.iter().find(|t| [t.code, t.vi, t.en].contains(&name)))
            .map(|t| t.code),
    })
}

macro_rules! taxonomy {
    ($(#[$meta:meta])* $name:ident, $term:expr, $table:ident {
        $($variant:ident => ($code:literal, $vi:literal, $en:literal, [$($alias:literal),*])),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),+ }

        const $table: &[Entry<$name>] = &[
            $(Entry { value: $name::$variant, code: $code, vi: $vi, en: $en, aliases: &[$($alias),*] }),+
        ];

        impl $name {
            /// Every value, in taxonomy order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Parses a code, a Vietnamese or English label or an alias, case- and
            /// diacritic-insensitively.
            pub fn parse(input: &str) -> Result<Self, UnknownTerm> {
                static INDEX: OnceLock<HashMap<String, $name>> = OnceLock::new();
                parse_term($term, $table, INDEX.get_or_init(|| term_index($table)), input)
            }

            fn term(self) -> &'static Entry<$name> {
                &$table[self as usize]
            }

            /// The stable code, as stored and sent over the API (`agritech`, `series-a`).
            pub fn code(self) -> &'static str { self.term().code }

            /// The label in the given language, from the catalogue files (`sector.agritech`).
            pub fn label(self, language: Language) -> &'static str {
                crate::i18n::text(language, &format!("{}.{}", $term.code(), self.code())).unwrap_or(self.term().en)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.code()) }
        }
    };
}

taxonomy!(
    /// The business sector of a startup, or one an investor invests in.
    Sector, Term::Sector, SECTORS {
        Agritech => ("agritech", "Nông nghiệp", "Agriculture", ["nong nghiep cong nghe cao", "agriculture technology", "agtech"]),
        Fintech => ("fintech", "Tài chính", "Fintech", ["cong nghe tai chinh", "financial technology", "finance"]),
        Edtech => ("edtech", "Giáo dục", "Education", ["cong nghe giao duc", "education technology"]),
        Healthtech => ("healthtech", "Y tế", "Healthcare", ["cong nghe y te", "health", "medtech"]),
        Logistics => ("logistics", "Logistics", "Logistics", ["van tai", "kho van", "supply chain", "chuoi cung ung"]),
        Maritime => ("maritime", "Kinh tế biển", "Maritime", ["blue economy", "ports", "port", "cang bien", "hang hai", "shipping"]),
        Manufacturing => ("manufacturing", "Sản xuất", "Manufacturing", ["industry 4.0", "cong nghiep 4.0", "cong nghiep"]),
        ECommerce => ("e-commerce", "Thương mại điện tử", "E-commerce", ["ecommerce", "tmdt"]),
        Retail => ("retail", "Bán lẻ", "Retail", []),
        Tourism => ("tourism", "Du lịch", "Tourism", ["travel", "hospitality"]),
        Cleantech => ("cleantech", "Năng lượng sạch", "Clean technology", ["energy", "environment", "nang luong", "moi truong", "climate"]),
        SmartCity => ("smart-city", "Đô thị thông minh", "Smart city", ["thanh pho thong minh"]),
        Ai => ("ai", "Trí tuệ nhân tạo", "Artificial intelligence", ["deep tech", "data", "du lieu", "tri tue nhan tao"]),
        Biotech => ("biotech", "Công nghệ sinh học", "Biotechnology", ["sinh hoc"]),
        Proptech => ("proptech", "Bất động sản", "Property technology", ["real estate", "bat dong san cong nghe"]),
        Media => ("media", "Truyền thông", "Media", ["entertainment", "giai tri"]),
        Food => ("food", "Thực phẩm", "Food", ["ocop", "san pham ocop", "food and beverage", "f&b"]),
        Iot => ("iot", "Internet vạn vật", "Internet of things", ["hardware", "phan cung"]),
        Saas => ("saas", "Phần mềm doanh nghiệp", "Enterprise software", ["software", "phan mem"]),
        Mobility => ("mobility", "Giao thông", "Mobility", ["transport", "transportation", "giao thong thong minh"]),
    }
);

taxonomy!(
    /// A startup's stage of development; ordered from idea to growth.
    Stage, Term::Stage, STAGES {
        Idea => ("idea", "Ý tưởng", "Idea", []),
        PreSeed => ("pre-seed", "Tiền hạt giống", "Pre-seed", ["preseed"]),
        Seed => ("seed", "Hạt giống", "Seed", []),
        SeriesA => ("series-a", "Vòng A", "Series A", []),
        SeriesB => ("series-b", "Vòng B", "Series B", []),
        SeriesC => ("series-c", "Vòng C", "Series C", []),
        Growth => ("growth", "Tăng trưởng", "Growth", ["late stage", "giai doan tang truong"]),
    }
);

taxonomy!(
    /// What kind of investor an organization is.
    InvestorType, Term::InvestorType, INVESTOR_TYPES {
        Vc => ("vc", "Quỹ đầu tư mạo hiểm", "Venture capital", ["venture capital fund"]),
        Angel => ("angel", "Nhà đầu tư thiên thần", "Angel investor", ["thien than", "business angel"]),
        Cvc => ("cvc", "Quỹ đầu tư doanh nghiệp", "Corporate venture capital", ["corporate"]),
        Fund => ("fund", "Quỹ đầu tư", "Investment fund", ["private equity", "pe"]),
        Accelerator => ("accelerator", "Vườn ươm / tăng tốc", "Accelerator", ["incubator", "vuon uom", "tang toc"]),
        Bank => ("bank", "Ngân hàng", "Bank", []),
        Government => ("government", "Quỹ nhà nước", "Public fund", ["public", "nha nuoc"]),
    }
);

impl Stage {
    /// Steps between two stages on the ordered scale (`seed` to `series-b` is 2).
    pub fn distance(self, other: Stage) -> u8 {
        (self as u8).abs_diff(other as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_code_and_labels_with_or_without_diacritics() {
        for input in ["agritech", "Nông nghiệp", "nong nghiep", "NÔNG NGHIỆP", "Agriculture", " agriTech "] {
            assert_eq!(Sector::parse(input), Ok(Sector::Agritech), "{input}");
        }
        assert_eq!(Sector::parse("Kinh te bien"), Ok(Sector::Maritime));
        assert_eq!(Sector::parse("blue economy"), Ok(Sector::Maritime));
        assert_eq!(Sector::parse("Đô thị thông minh"), Ok(Sector::SmartCity));
        assert_eq!(Sector::parse("smart_city"), Ok(Sector::SmartCity));
        assert_eq!(Sector::parse("OCOP"), Ok(Sector::Food));
        assert_eq!(Stage::parse("Series A"), Ok(Stage::SeriesA));
        assert_eq!(Stage::parse("hat giong"), Ok(Stage::Seed));
        assert_eq!(Stage::parse("Pre-Seed"), Ok(Stage::PreSeed));
        assert_eq!(InvestorType::parse("VC"), Ok(InvestorType::Vc));
    }

    #[test]
    fn unknown_value_suggests_the_nearest() {
        let error = Sector::parse("fintek").unwrap_err();
        assert_eq!(error.suggestion, Some("fintech"));
        assert_eq!(error.to_string(), "unknown sector \"fintek\" (did you mean \"fintech\"?)");
        assert_eq!(Sector::parse("nong nghep").unwrap_err().suggestion, Some("agritech"));
        assert_eq!(Stage::parse("serie b").unwrap_err().suggestion, Some("series-b"));
        assert_eq!(Sector::parse("quantum gravity").unwrap_err().suggestion, None);
    }

    #[test]
    fn stages_are_ordered() {
        assert!(Stage::Idea < Stage::PreSeed && Stage::Seed < Stage::SeriesA && Stage::SeriesC < Stage::Growth);
        assert_eq!(Stage::Seed.distance(Stage::SeriesB), 2);
    }

    #[test]
    fn taxonomy_covers_design_sectors() {
        assert_eq!(Sector::ALL.len(), 20);
        for (index, sector) in Sector::ALL.iter().enumerate() {
            assert_eq!(*sector as usize, index, "table order matches enum order");
        }
        for (index, stage) in Stage::ALL.iter().enumerate() {
            assert_eq!(*stage as usize, index);
        }
    }

    proptest! {
        #[test]
        fn every_label_parses_back(index in 0..Sector::ALL.len(), english in any::<bool>(), upper in any::<bool>()) {
            let sector = Sector::ALL[index];
            let label = sector.label(if english { Language::En } else { Language::Vi });
            let label = if upper { label.to_uppercase() } else { label.to_owned() };
            prop_assert_eq!(Sector::parse(&label), Ok(sector));
            prop_assert_eq!(Sector::parse(&crate::text::fold(&label)), Ok(sector));
        }

        #[test]
        fn every_stage_code_parses_back(index in 0..Stage::ALL.len()) {
            let stage = Stage::ALL[index];
            prop_assert_eq!(Stage::parse(stage.code()), Ok(stage));
            prop_assert_eq!(Stage::parse(stage.label(Language::Vi)), Ok(stage));
        }
    }
}
