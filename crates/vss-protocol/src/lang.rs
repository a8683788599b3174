//! The two languages every user-visible text exists in.

use serde::{Deserialize, Serialize};

/// User language. Vietnamese is the default: the users are Vietnamese accountants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// Reads `vi`, `vi-VN`, `en`, `en-US`, … ; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Reads an optional value, falling back to Vietnamese.
    pub fn parse_or_default(s: Option<&str>) -> Lang {
        s.and_then(Lang::parse).unwrap_or_default()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_regional_tags_and_defaults_to_vietnamese() {
        assert_eq!(Lang::parse("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::parse("en_US"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse_or_default(Some("fr")), Lang::Vi);
        assert_eq!(Lang::parse_or_default(None), Lang::Vi);
    }
}
