//! The messages ketnoi mails, in each language: a subject, paragraphs, optional lists and the
//! link to act on, written as plain text and as HTML (no remote images, no scripts).

use ketnoi_domain::i18n::{Language, message};

/// What a message is about; also the unit of a person's mail preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    RequestReceived,
    RequestAnswered,
    RequestCancelled,
    RequestExpired,
    Digest,
    Schedule,
    Reminder,
    Invitation,
    PasswordReset,
    RegistrationAttempt,
    ConfirmEmail,
    /// An administrator named the person an event's organiser: the link to choose a password.
    OrganiserInvitation,
}

/// How a person wants a kind of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Immediate,
    /// Left to the digest (requests received only).
    Digest,
    Off,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Immediate, Mode::Digest, Mode::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Immediate => "immediate",
            Mode::Digest => "digest",
            Mode::Off => "off",
        }
    }

    pub fn parse(code: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|mode| mode.as_str() == code)
    }
}

impl MailKind {
    pub const ALL: [MailKind; 12] = [
        MailKind::RequestReceived,
        MailKind::RequestAnswered,
        MailKind::RequestCancelled,
        MailKind::RequestExpired,
        MailKind::Digest,
        MailKind::Schedule,
        MailKind::Reminder,
        MailKind::Invitation,
        MailKind::PasswordReset,
        MailKind::RegistrationAttempt,
        MailKind::ConfirmEmail,
        MailKind::OrganiserInvitation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::RequestReceived => "request-received",
            MailKind::RequestAnswered => "request-answered",
            MailKind::RequestCancelled => "request-cancelled",
            MailKind::RequestExpired => "request-expired",
            MailKind::Digest => "digest",
            MailKind::Schedule => "schedule",
            MailKind::Reminder => "reminder",
            MailKind::Invitation => "invitation",
            MailKind::PasswordReset => "password-reset",
            MailKind::RegistrationAttempt => "registration-attempt",
            MailKind::ConfirmEmail => "confirm-email",
            MailKind::OrganiserInvitation => "organiser-invitation",
        }
    }

    pub fn parse(code: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|kind| kind.as_str() == code)
    }

    /// Messages about the account itself: always sent, never with an unsubscribe link.
    pub fn is_security(self) -> bool {
        matches!(
            self,
            MailKind::Invitation
                | MailKind::PasswordReset
                | MailKind::RegistrationAttempt
                | MailKind::ConfirmEmail
                | MailKind::OrganiserInvitation
        )
    }

    /// The modes a person may choose for this kind: none for security messages.
    pub fn modes(self) -> &'static [Mode] {
        match self {
            MailKind::RequestReceived => &[Mode::Immediate, Mode::Digest, Mode::Off],
            kind if kind.is_security() => &[],
            _ => &[Mode::Immediate, Mode::Off],
        }
    }

    /// The kinds a person may choose how to receive.
    pub fn preferences() -> impl Iterator<Item = MailKind> {
        MailKind::ALL.into_iter().filter(|kind| !kind.is_security())
    }
}

/// A message being written: paragraphs, a list, and the link to act on.
#[derive(Debug, Clone)]
pub(crate) struct Letter {
    pub language: Language,
    pub subject: String,
    paragraphs: Vec<String>,
    items: Vec<String>,
    /// After the list.
    closing: Vec<String>,
    action: Option<(String, String)>,
    signature: String,
    footer: Option<String>,
}

/// The letter text `key` (`letter.KEY` in the catalogue files) in `language` with `args` filled.
pub(crate) fn text(language: Language, key: &str, args: &[(&str, String)]) -> String {
    message(language, &format!("letter.{key}"), args)
}

/// HTML-escaped text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Letter {
    /// A letter in `language` with the subject `key.subject`, greeting `name`.
    pub fn new(language: Language, subject: &str, name: Option<&str>, args: &[(&str, String)]) -> Letter {
        let mut letter = Letter {
            language,
            subject: text(language, subject, args),
            paragraphs: Vec::new(),
            items: Vec::new(),
            closing: Vec::new(),
            action: None,
            signature: String::new(),
            footer: None,
        };
        if let Some(name) = name {
            letter.paragraphs.push(text(language, "greeting", &[("name", name.to_owned())]));
        }
        letter
    }

    pub fn line(mut self, key: &str, args: &[(&str, String)]) -> Letter {
        let line = text(self.language, key, args);
        if self.items.is_empty() {
            self.paragraphs.push(line);
        } else {
            self.closing.push(line);
        }
        self
    }

    pub fn item(mut self, key: &str, args: &[(&str, String)]) -> Letter {
        self.items.push(text(self.language, key, args));
        self
    }

    pub fn action(mut self, key: &str, url: String) -> Letter {
        self.action = Some((text(self.language, key, &[]), url));
        self
    }

    pub fn signed(mut self, event: &str) -> Letter {
        self.signature = text(self.language, "signature", &[("event", event.to_owned())]);
        self
    }

    /// The footer naming the event and the unsubscribe address.
    pub fn unsubscribe(mut self, event: &str, url: &str) -> Letter {
        self.footer =
            Some(text(self.language, "footer", &[("event", event.to_owned()), ("unsubscribe", url.to_owned())]));
        self
    }

    /// The plain text.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for paragraph in &self.paragraphs {
            out.push_str(paragraph);
            out.push_str("\n\n");
        }
        for item in &self.items {
            out.push_str("- ");
            out.push_str(item);
            out.push('\n');
        }
        if !self.items.is_empty() {
            out.push('\n');
        }
        for paragraph in &self.closing {
            out.push_str(paragraph);
            out.push_str("\n\n");
        }
        if let Some((label, url)) = &self.action {
            out.push_str(&format!("{label}: {url}\n\n"));
        }
        if !self.signature.is_empty() {
            out.push_str(&self.signature);
            out.push('\n');
        }
        if let Some(footer) = &self.footer {
            out.push_str("\n-- \n");
            out.push_str(footer);
            out.push('\n');
        }
        out
    }

    /// The HTML: the same words, a link for the action, nothing loaded from elsewhere.
    pub fn html(&self) -> String {
        let mut out = format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\">",
            self.language.code(),
            escape(&self.subject)
        );
        for paragraph in &self.paragraphs {
            out.push_str(&format!("<p>{}</p>", escape(paragraph)));
        }
        if !self.items.is_empty() {
            out.push_str("<ul>");
            for item in &self.items {
                out.push_str(&format!("<li>{}</li>", escape(item)));
            }
            out.push_str("</ul>");
        }
        for paragraph in &self.closing {
            out.push_str(&format!("<p>{}</p>", escape(paragraph)));
        }
        if let Some((label, url)) = &self.action {
            out.push_str(&format!(
                "<p><a href=\"{}\" style=\"display:inline-block;padding:0.5em 1em;background:#0b5394;color:#fff;text-decoration:none;border-radius:4px\">{}</a></p>",
                escape(url),
                escape(label)
            ));
        }
        if !self.signature.is_empty() {
            out.push_str(&format!("<p>{}</p>", escape(&self.signature)));
        }
        if let Some(footer) = &self.footer {
            out.push_str(&format!("<hr><p style=\"font-size:0.85em;color:#555\">{}</p>", escape(footer)));
        }
        out.push_str("</body></html>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_plain_and_html_with_names_kept() {
        let name = "Sen and Lotus <Ventures>".to_owned();
        let letter = Letter::new(
            Language::Vi,
            "request-received.subject",
            Some("Lan"),
            &[("from", name.clone()), ("event", "Techfest".to_owned())],
        )
        .line(
            "request-received.body",
            &[("from", name.clone()), ("to", "Cảng Số".to_owned()), ("event", "Techfest".to_owned())],
        )
        .action("request-received.action", "https://ketnoi.example/e/techfest/requests".to_owned())
        .signed("Techfest");
        assert_eq!(letter.subject, "Sen and Lotus <Ventures> đề nghị gặp bạn tại Techfest");
        let plain = letter.plain();
        assert!(plain.contains("Sen and Lotus <Ventures> đề nghị gặp Cảng Số tại Techfest."), "{plain}");
        assert!(plain.contains("Chấp nhận hoặc từ chối: https://ketnoi.example/e/techfest/requests"), "{plain}");
        let html = letter.html();
        assert!(html.contains("Sen and Lotus &lt;Ventures&gt;") && !html.contains("<Ventures>"), "{html}");
        assert!(!html.contains("<img") && !html.contains("<script"), "{html}");
    }
}
