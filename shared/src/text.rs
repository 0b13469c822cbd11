//! Bilingual text. Every reason, error and label the core produces carries
//! Simplified Chinese (shown first) and English.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether `s` holds characters no name or note should: control characters (NUL,
/// escape sequences; a line break or tab only where `multiline`) and the bidirectional
/// overrides that make text display differently from what it is.
pub fn has_hidden_characters(s: &str, multiline: bool) -> bool {
    s.chars().any(|c| {
        (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// The longest name (head of household, family member, village group) kept anywhere.
pub const MAX_NAME_CHARS: usize = 50;

/// Whether `name` is one line of at most [`MAX_NAME_CHARS`] characters, nothing hidden:
/// the rule for names whether typed on a phone or imported from a file.
pub fn is_plain_name(name: &str) -> bool {
    name.chars().count() <= MAX_NAME_CHARS && !has_hidden_characters(name, false)
}

/// The names in a list typed on a form ("李强、李明", "李强, 李明", one per line).
pub fn typed_names(list: &str) -> Vec<String> {
    list.split(['、', '，', ',', ' ', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `name` is a person's name as a form must give it: a plain name, not blank.
pub fn is_given_name(name: &str) -> bool {
    !name.trim().is_empty() && is_plain_name(name)
}

/// Which language a user reads. Chinese is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// Splits an error's "中文 / English" display (the form every error in the
    /// core uses) back into its two languages; text without the separator is used for both.
    pub fn from_pair(pair: &str) -> Self {
        let (zh, en) = pair.split_once(" / ").unwrap_or((pair, pair));
        Text::new(zh, en)
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Text {
    /// Chinese first, English after a slash: the form used in logs and CLI errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_and_round_trip_through_display() {
        let t = Text::new("没有数据", "no data");
        assert_eq!(Text::from_pair(&t.to_string()), t);
        assert_eq!(Text::from_pair("only one"), Text::new("only one", "only one"));
    }

    #[test]
    fn hidden_characters_are_found_and_rare_ones_are_not() {
        assert!(!has_hidden_characters("𪨶𠀀 蔺𬌗 Zhāng", false));
        for bad in ["张\u{0}三", "李\u{1b}[2J四", "王\u{202e}五", "赵\u{2066}六", "a\nb"] {
            assert!(has_hidden_characters(bad, false), "{bad:?}");
        }
        assert!(!has_hidden_characters("第一行\n第二行\t", true));
        assert!(has_hidden_characters("第一行\u{0}", true));
    }
}
