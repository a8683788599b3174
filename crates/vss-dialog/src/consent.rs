//! The consent text: who asks, which certificate (holder, MST, expiry), what is signed — what
//! the agent derived itself kept apart from what the page claims (labelled unverified,
//! sanitised and cut to 200 characters).

use vss_protocol::messages::text;
use vss_protocol::{limits, Certificate, Lang};

/// Page or file text as a dialog may show it: invisible and control characters removed, cut to
/// the dialog limit (the one sanitizer, [`vss_protocol::display::clean`]).
pub fn sanitize_page_text(input: &str) -> String {
    vss_protocol::display::clean(input, limits::MAX_DIALOG_TEXT_CHARS)
}

/// Builder for the dialog's description, line by line.
pub struct ConsentText {
    lang: Lang,
    lines: Vec<String>,
}

impl ConsentText {
    pub fn new(lang: Lang) -> Self {
        ConsentText {
            lang,
            lines: Vec::new(),
        }
    }

    fn line(&mut self, id: &str, args: &[(&str, String)]) -> &mut Self {
        self.lines.push(text(self.lang, id, args));
        self
    }

    /// Who asks: a web origin (checked by the agent) or a program on this computer.
    pub fn requester(&mut self, origin: Option<&str>, program: &str) -> &mut Self {
        match origin {
            Some(origin) => self.line("dialog-origin", &[("origin", origin.to_string())]),
            None => self.line("dialog-local", &[("program", program.to_string())]),
        }
    }

    /// The certificate: holder, MST (or "unknown"), expiry date.
    pub fn certificate(&mut self, certificate: &Certificate, expiry: &str) -> &mut Self {
        let unknown = text(self.lang, "dialog-unknown", &[]);
        self.line("dialog-holder", &[("holder", certificate.holder.clone())]);
        let mst = certificate.identity.mst.clone().unwrap_or(unknown);
        self.line("dialog-mst", &[("mst", mst)]);
        self.line("dialog-expiry", &[("date", expiry.to_string())])
    }

    /// What the page says it is signing (unverified).
    pub fn page_document(&mut self, title: Option<&str>, description: Option<&str>) -> &mut Self {
        if let Some(title) = title.map(sanitize_page_text).filter(|t| !t.is_empty()) {
            self.line("dialog-document", &[("title", title)]);
        }
        if let Some(description) = description
            .map(sanitize_page_text)
            .filter(|t| !t.is_empty())
        {
            self.line("dialog-description", &[("description", description)]);
        }
        self
    }

    /// A document named by the local user (CLI).
    pub fn local_document(&mut self, title: &str) -> &mut Self {
        self.line("dialog-document-local", &[("title", title.to_string())])
    }

    /// A short fingerprint of the hash and the "content cannot be shown" warning.
    pub fn blind_hash(&mut self, algorithm: &str, hash: &[u8]) -> &mut Self {
        let hex: String = hash.iter().map(|b| format!("{b:02X}")).collect();
        let fingerprint = if hex.len() > 16 {
            format!("{}…{}", &hex[..8], &hex[hex.len() - 8..])
        } else {
            hex
        };
        self.line(
            "dialog-hash",
            &[
                ("algorithm", algorithm.to_string()),
                ("fingerprint", fingerprint),
            ],
        );
        self.line("dialog-blind", &[])
    }

    /// A line the agent derived itself (e.g. read from the XML).
    pub fn derived(&mut self, line: String) -> &mut Self {
        self.lines.push(sanitize_page_text(&line));
        self
    }

    /// PIN state warnings and the PIN-pad instruction.
    pub fn pin_state(&mut self, count_low: bool, final_try: bool, pinpad: bool) -> &mut Self {
        if final_try {
            self.line("dialog-pin-final-try", &[]);
        } else if count_low {
            self.line("dialog-pin-count-low", &[]);
        }
        if pinpad {
            self.line("dialog-pinpad", &[]);
        }
        self
    }

    pub fn build(&self) -> String {
        self.lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_text_loses_bidi_zero_width_and_controls() {
        let evil = "Tờ khai\u{202E}cod.exe\u{200B}\u{0007}\nD02-TS";
        assert_eq!(sanitize_page_text(evil), "Tờ khaicod.exe D02-TS");
    }

    #[test]
    fn page_text_is_cut_to_200_characters() {
        let long = "ệ".repeat(500);
        let cut = sanitize_page_text(&long);
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
    }
}
