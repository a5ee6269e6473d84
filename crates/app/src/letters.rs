//! The messages ketnoi mails, in each language: a subject, paragraphs, optional lists and the
//! link to act on, written as plain text and as HTML (no remote images, no scripts).

use ketnoi_domain::i18n::{Language, Text, fill, find};

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
    pub const ALL: [MailKind; 11] = [
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
        }
    }

    pub fn parse(code: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|kind| kind.as_str() == code)
    }

    /// Messages about the account itself: always sent, never with an unsubscribe link.
    pub fn is_security(self) -> bool {
        matches!(
            self,
            MailKind::Invitation | MailKind::PasswordReset | MailKind::RegistrationAttempt | MailKind::ConfirmEmail
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

/// The texts of every message: `{name}` is filled in, once.
pub(crate) const LETTERS: &[Text] = &[
    Text { key: "greeting", vi: "Xin chào {name},", en: "Hello {name}," },
    Text { key: "signature", vi: "— ketnoi, {event}", en: "— ketnoi, {event}" },
    Text {
        key: "footer",
        vi: "Bạn nhận thư này vì đã đăng ký tham gia {event} trên ketnoi. Không muốn nhận loại thư này nữa: {unsubscribe}",
        en: "You receive this because you take part in {event} on ketnoi. To stop this kind of message: {unsubscribe}",
    },
    Text {
        key: "request-received.subject",
        vi: "{from} đề nghị gặp bạn tại {event}",
        en: "{from} asks to meet you at {event}",
    },
    Text {
        key: "request-received.body",
        vi: "{from} đề nghị gặp {to} tại {event}.",
        en: "{from} asks to meet {to} at {event}.",
    },
    Text { key: "request-received.message", vi: "Lời nhắn: {message}", en: "Their message: {message}" },
    Text { key: "request-received.action", vi: "Chấp nhận hoặc từ chối", en: "Accept or decline" },
    Text {
        key: "request-accepted.subject",
        vi: "{to} đã chấp nhận gặp bạn tại {event}",
        en: "{to} accepted to meet you at {event}",
    },
    Text {
        key: "request-accepted.body",
        vi: "{to} đã chấp nhận đề nghị gặp của {from}. Ban tổ chức sẽ xếp bàn và giờ.",
        en: "{to} accepted {from}'s request to meet. The organisers will give it a table and a time.",
    },
    Text {
        key: "request-declined.subject",
        vi: "{to} đã từ chối đề nghị gặp tại {event}",
        en: "{to} declined your request at {event}",
    },
    Text {
        key: "request-declined.body",
        vi: "{to} đã từ chối đề nghị gặp của {from}.",
        en: "{to} declined {from}'s request to meet.",
    },
    Text { key: "request.note", vi: "Ghi chú: {note}", en: "Their note: {note}" },
    Text { key: "request-answered.action", vi: "Xem các đề nghị đã gửi", en: "See your requests" },
    Text {
        key: "request-cancelled.subject",
        vi: "{from} đã rút đề nghị gặp tại {event}",
        en: "{from} withdrew their request at {event}",
    },
    Text {
        key: "request-cancelled.body",
        vi: "{from} đã rút đề nghị gặp {to}.",
        en: "{from} withdrew their request to meet {to}.",
    },
    Text {
        key: "request-expired.subject", vi: "Đề nghị gặp {to} đã hết hạn", en: "Your request to meet {to} expired"
    },
    Text {
        key: "request-expired.body",
        vi: "{to} chưa trả lời đề nghị gặp của {from} trong thời hạn ban tổ chức đặt ra. Bạn có thể gửi lại.",
        en: "{to} did not answer {from}'s request in the time the organisers set. You may ask again.",
    },
    Text { key: "requests.action", vi: "Mở trang đề nghị gặp", en: "Open your requests" },
    Text {
        key: "digest.subject",
        vi: "{count} đề nghị gặp đang chờ bạn trả lời tại {event}",
        en: "{count} requests wait for your answer at {event}",
    },
    Text {
        key: "digest.body",
        vi: "Các đề nghị gặp {to} chưa trả lời:",
        en: "Requests to {to} still waiting for an answer:",
    },
    Text { key: "digest.item", vi: "{from}, gửi lúc {when}", en: "{from}, sent {when}" },
    Text {
        key: "schedule-published.subject", vi: "Lịch gặp của bạn tại {event}", en: "Your meetings at {event}"
    },
    Text {
        key: "schedule-published.body",
        vi: "Ban tổ chức đã công bố lịch gặp. Các cuộc gặp của {name}:",
        en: "The organisers published the schedule. {name}'s meetings:",
    },
    Text {
        key: "schedule.none",
        vi: "Chưa có cuộc gặp nào được xếp cho {name}.",
        en: "No meeting of {name} is placed yet.",
    },
    Text { key: "meeting.item", vi: "{when}, bàn {table}: {counterpart}", en: "{when}, table {table}: {counterpart}" },
    Text { key: "agenda.action", vi: "Mở lịch gặp của tôi", en: "Open my agenda" },
    Text {
        key: "meeting-moved.subject",
        vi: "Cuộc gặp với {counterpart} đã đổi giờ hoặc bàn",
        en: "Your meeting with {counterpart} moved",
    },
    Text {
        key: "meeting-moved.body",
        vi: "Cuộc gặp của {name} với {counterpart} đã được chuyển.",
        en: "{name}'s meeting with {counterpart} was moved.",
    },
    Text { key: "meeting-moved.before", vi: "Trước: {before}", en: "Before: {before}" },
    Text { key: "meeting-moved.after", vi: "Bây giờ: {after}", en: "Now: {after}" },
    Text { key: "place", vi: "{when}, bàn {table}", en: "{when}, table {table}" },
    Text { key: "place.none", vi: "chưa có giờ", en: "not placed" },
    Text {
        key: "meeting-cancelled.subject",
        vi: "Cuộc gặp với {counterpart} đã bị hủy",
        en: "Your meeting with {counterpart} is cancelled",
    },
    Text {
        key: "meeting-cancelled.body",
        vi: "Cuộc gặp của {name} với {counterpart} lúc {place} đã bị hủy.",
        en: "{name}'s meeting with {counterpart} at {place} is cancelled.",
    },
    Text {
        key: "reminder.subject",
        vi: "Sắp đến giờ gặp {counterpart}: {time}, bàn {table}",
        en: "Soon: {counterpart} at {time}, table {table}",
    },
    Text {
        key: "reminder.body",
        vi: "{name} gặp {counterpart} lúc {when}, tại bàn {table}.",
        en: "{name} meets {counterpart} at {when}, at table {table}.",
    },
    Text { key: "calendar.summary", vi: "Gặp {counterpart}", en: "Meeting with {counterpart}" },
    Text { key: "calendar.location", vi: "{place}, bàn {table}", en: "{place}, table {table}" },
    Text {
        key: "calendar.description",
        vi: "Kết nối kinh doanh tại {event} với {counterpart}. Lịch gặp: {link}",
        en: "Business matching at {event} with {counterpart}. Agenda: {link}",
    },
    Text {
        key: "invitation.subject",
        vi: "{inviter} mời bạn tham gia {organization} trên ketnoi",
        en: "{inviter} invites you to join {organization} on ketnoi",
    },
    Text {
        key: "invitation.body",
        vi: "{inviter} mời bạn làm thành viên của {organization}. Lời mời có hiệu lực 7 ngày.",
        en: "{inviter} invites you to become a member of {organization}. The invitation is valid for 7 days.",
    },
    Text { key: "invitation.action", vi: "Nhận lời mời", en: "Accept the invitation" },
    Text { key: "invitation.code", vi: "Hoặc nhập mã mời: {code}", en: "Or enter the invitation code: {code}" },
    Text { key: "password-reset.subject", vi: "Đặt lại mật khẩu ketnoi", en: "Reset your ketnoi password" },
    Text {
        key: "password-reset.body",
        vi: "Có người (có thể là bạn) đã yêu cầu đặt lại mật khẩu cho {email}. Liên kết dưới đây dùng được một lần, trong một giờ. Nếu không phải bạn, hãy bỏ qua thư này.",
        en: "Someone (probably you) asked to reset the password of {email}. The link below works once, for one hour. If it was not you, ignore this message.",
    },
    Text { key: "password-reset.action", vi: "Đặt mật khẩu mới", en: "Choose a new password" },
    Text {
        key: "registration-attempt.subject",
        vi: "Có người vừa đăng ký bằng email của bạn",
        en: "Someone tried to register with your address",
    },
    Text {
        key: "registration-attempt.body",
        vi: "Có người vừa đăng ký một tổ chức trên ketnoi bằng {email}, địa chỉ đã có tài khoản. Không có gì thay đổi. Nếu là bạn và bạn quên mật khẩu, hãy đặt lại mật khẩu.",
        en: "Someone tried to register an organization on ketnoi with {email}, which already has an account. Nothing changed. If it was you and you forgot your password, reset it.",
    },
    Text { key: "registration-attempt.action", vi: "Đặt lại mật khẩu", en: "Reset the password" },
    Text {
        key: "confirm-email.subject",
        vi: "Xác nhận email của bạn trên ketnoi",
        en: "Confirm your address on ketnoi",
    },
    Text {
        key: "confirm-email.body",
        vi: "Chào mừng {organization} đến với {event}. Hãy xác nhận {email} là địa chỉ của bạn để đăng nhập.",
        en: "Welcome, {organization}, to {event}. Confirm that {email} is your address to sign in.",
    },
    Text { key: "confirm-email.action", vi: "Xác nhận email", en: "Confirm my address" },
];

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

/// The text `key` in `language` with `args` filled.
pub(crate) fn text(language: Language, key: &str, args: &[(&str, String)]) -> String {
    match find(LETTERS, key) {
        Some(text) => fill(text.get(language), args),
        None => key.to_owned(),
    }
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
    fn every_letter_reads_in_every_language() {
        assert_eq!(ketnoi_domain::i18n::catalogue_problems(LETTERS), Vec::<String>::new());
    }

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
