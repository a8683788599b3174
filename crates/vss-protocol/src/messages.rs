//! The one door to user-visible text: Fluent catalogues `i18n/vi/vss.ftl` and `i18n/en/vss.ftl`,
//! embedded at build time. Error code `foo_bar` has the messages `err-foo_bar` and `hint-foo_bar`.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, Loader};
use unic_langid::{langid, LanguageIdentifier};

use crate::error::ErrorCode;
use crate::lang::Lang;

static_loader! {
    static CATALOGUE = {
        locales: "./i18n",
        fallback_language: "en",
        // Unicode isolation marks would reach dialogs and terminals as invisible characters.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

fn langid(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// Looks up message `id` with named arguments. A missing id yields the id itself, which the
/// catalogue tests forbid for every id the code uses.
pub fn text(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_string()), FluentValue::from(v.as_str())))
        .collect();
    let found = if map.is_empty() {
        CATALOGUE.try_lookup(langid(lang), id)
    } else {
        CATALOGUE.try_lookup_with_args(langid(lang), id, &map)
    };
    found.unwrap_or_else(|| id.to_string())
}

pub fn error_message(lang: Lang, code: ErrorCode, args: &[(&'static str, String)]) -> String {
    text(lang, &format!("err-{}", code.as_str()), args)
}

pub fn error_hint(lang: Lang, code: ErrorCode, args: &[(&'static str, String)]) -> String {
    text(lang, &format!("hint-{}", code.as_str()), args)
}

#[cfg(test)]
mod tests {
    use super::*;

    use fluent_syntax::ast;
    use fluent_templates::fluent_bundle::FluentResource;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_string()).expect("catalogue parses");
        resource
            .entries()
            .filter_map(|entry| match entry {
                ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_messages_and_every_error_code() {
        let vi = ids(include_str!("../i18n/vi/vss.ftl"));
        let en = ids(include_str!("../i18n/en/vss.ftl"));
        assert_eq!(vi, en);
        for code in ErrorCode::ALL {
            for prefix in ["err", "hint"] {
                let id = format!("{prefix}-{}", code.as_str());
                assert!(vi.contains(&id), "{id} missing");
            }
        }
    }

    #[test]
    fn arguments_are_interpolated_without_isolation_marks() {
        let msg = error_message(
            Lang::En,
            ErrorCode::NoModule,
            &[("path", "/opt/x.so".to_string())],
        );
        assert!(msg.contains("/opt/x.so"), "{msg}");
        assert!(!msg.contains('\u{2068}'), "{msg:?}");
    }

    #[test]
    fn vietnamese_is_really_vietnamese() {
        let msg = error_message(Lang::Vi, ErrorCode::UserCancelled, &[]);
        assert!(msg.contains("hủy"), "{msg}");
    }

    #[test]
    fn a_wrong_pin_message_follows_the_tokens_pin_state() {
        // The token layer always names the state (`none`, `count_low`, `final_try`).
        let args = |state: &str| [("state", state.to_string())];
        let msg = |state: &str| error_message(Lang::Vi, ErrorCode::PinIncorrect, &args(state));
        assert_eq!(msg("none"), "Mã PIN không đúng.");
        assert!(msg("count_low").ends_with("Số lần thử còn lại ít."));
        assert!(msg("final_try").contains("Chỉ còn MỘT lần thử"));
        let hint = error_hint(Lang::Vi, ErrorCode::PinIncorrect, &args("none"));
        assert!(hint.starts_with("Kiểm tra lại mã PIN"), "{hint}");
    }
}
