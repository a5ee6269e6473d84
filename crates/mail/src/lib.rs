//! Delivers ketnoi's messages: over SMTP with lettre (tokio, rustls), or, when no SMTP server
//! is configured, as `.eml` files in a folder, so that a demo shows exactly what would be sent.
//!
//! Every message goes out as `multipart/alternative` (plain text, then HTML) with the
//! outbox's stable `Message-ID`, and, unless it is about the account itself, the one-click
//! unsubscribe headers of RFC 8058.
//!
//! SMTP connections are ketnoi's own small pool of lettre connections, opened with
//! `TCP_NODELAY`: lettre writes a message's end (`.`) apart from its body, and with Nagle's
//! algorithm that second write waits for the server's delayed acknowledgement, some 40 ms a
//! message (measured: 150 messages a second with lettre's pool, see docs/benchmarks.md).

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use ketnoi_app::notify::{DeliveryError, Mailer, OutgoingMail};
use lettre::Message;
use lettre::address::Envelope;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A mail setting that cannot be used, named as the command line names it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--smtp-url: {0}")]
    SmtpUrl(String),
    #[error(
        "--mail-from: {value:?} is not an address (write it as `ketnoi@example.org` or `Techfest <ketnoi@example.org>`)"
    )]
    From { value: String },
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`, port 465 by default).
    Wrapper,
    /// STARTTLS when the server offers it, plain text when it does not (`smtp://`, the default).
    Opportunistic,
    /// STARTTLS or nothing (`smtp://…?tls=required`).
    Required,
    /// Plain text only (`smtp://…?tls=none`).
    None,
}

/// Where and how to reach the SMTP server: `smtp://[user:password@]host[:port][?tls=…]` or
/// `smtps://…`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password stays out of logs.
        f.debug_struct("SmtpUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish()
    }
}

/// `%XX` escapes decoded, for a user name or password in a URL.
fn percent_decoded(text: &str, what: &str) -> Result<String, ConfigError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            let byte = hex.ok_or_else(|| ConfigError::SmtpUrl(format!("the {what} has a broken %-escape")))?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ConfigError::SmtpUrl(format!("the {what} is not UTF-8")))
}

impl SmtpUrl {
    pub fn parse(url: &str) -> Result<SmtpUrl, ConfigError> {
        let bad = |why: &str| {
            ConfigError::SmtpUrl(format!("{why} (expected smtp://[user:password@]host[:port] or smtps://…)"))
        };
        let (scheme, rest) = url.trim().split_once("://").ok_or_else(|| bad("no scheme"))?;
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            return Err(bad("a path is not allowed"));
        }
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':').filter(|(_, port)| !port.contains(']')) {
            Some((host, port)) => {
                let port: u16 =
                    port.parse().map_err(|_| bad(&format!("the port {port:?} is not a number from 1 to 65535")))?;
                if port == 0 {
                    return Err(bad("the port must be from 1 to 65535"));
                }
                (host, Some(port))
            }
            None => (hostport, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(bad("no host"));
        }
        let tls = match query {
            None | Some("") => None,
            Some(query) => match query.strip_prefix("tls=") {
                Some(mode @ ("required" | "opportunistic" | "none")) => Some(mode),
                _ => {
                    return Err(bad(&format!(
                        "unknown option {query:?}; the only one is tls=required|opportunistic|none"
                    )));
                }
            },
        };
        let (security, default_port) = match (scheme.to_ascii_lowercase().as_str(), tls) {
            ("smtps", None) => (Security::Wrapper, 465),
            ("smtps", Some(_)) => return Err(bad("smtps:// is TLS from the start: tls= does not apply")),
            ("smtp", None | Some("opportunistic")) => (Security::Opportunistic, 587),
            ("smtp", Some("required")) => (Security::Required, 587),
            ("smtp", Some(_)) => (Security::None, 25),
            (other, _) => return Err(bad(&format!("unknown scheme {other:?}"))),
        };
        let credentials = match userinfo {
            None => None,
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                Some((percent_decoded(user, "user name")?, percent_decoded(password, "password")?))
            }
        };
        Ok(SmtpUrl { host: host.to_owned(), port: port.unwrap_or(default_port), security, credentials })
    }
}

/// Parses the sender's address: `ketnoi@example.org` or `Techfest <ketnoi@example.org>`.
pub fn parse_from(value: &str) -> Result<Mailbox, ConfigError> {
    value.trim().parse::<Mailbox>().map_err(|_| ConfigError::From { value: value.to_owned() })
}

enum Transport {
    Smtp(Arc<Pool>),
    Files(PathBuf),
}

/// Sends ketnoi's messages: over SMTP, or into `.eml` files.
pub struct Sender {
    from: Mailbox,
    transport: Transport,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.transport {
            Transport::Smtp(pool) => {
                f.debug_struct("Sender").field("from", &self.from).field("smtp", &pool.url).finish()
            }
            Transport::Files(dir) => f.debug_struct("Sender").field("from", &self.from).field("files", dir).finish(),
        }
    }
}

/// How long connecting, or one message's SMTP conversation, may take before it counts as a
/// temporary failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why an SMTP attempt failed.
#[derive(Debug)]
enum Failure {
    /// The server answered, or lettre refused: its error says whether for good.
    Smtp(lettre::transport::smtp::Error),
    /// The network, TLS, or a deadline.
    Network(String),
}

impl Failure {
    fn delivery(self) -> DeliveryError {
        match self {
            // A 5xx answer: an address or a message the server refuses for good.
            Failure::Smtp(error) if error.is_permanent() => DeliveryError::Permanent(error.to_string()),
            Failure::Smtp(error) => DeliveryError::Temporary(error.to_string()),
            Failure::Network(error) => DeliveryError::Temporary(error),
        }
    }
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(error: lettre::transport::smtp::Error) -> Self {
        Failure::Smtp(error)
    }
}

/// A TLS stream from the first byte (`smtps://`), handed to lettre as its network stream.
#[derive(Debug)]
struct Encrypted(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncRead for Encrypted {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Encrypted {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Encrypted {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// Open SMTP connections, reused from one message to the next, at most `size` at once.
struct Pool {
    url: SmtpUrl,
    hello: ClientId,
    /// STARTTLS's parameters, for `smtp://`.
    starttls: Option<TlsParameters>,
    /// TLS from the first byte, for `smtps://`.
    wrapper: Option<(tokio_rustls::TlsConnector, rustls::pki_types::ServerName<'static>)>,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    permits: tokio::sync::Semaphore,
}

impl Pool {
    /// A new connection: TCP without Nagle's delay, TLS as the URL says, EHLO, AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let network = |e: &dyn std::fmt::Display| Failure::Network(format!("{}:{}: {e}", self.url.host, self.url.port));
        let tcp = tokio::time::timeout(SMTP_TIMEOUT, TcpStream::connect((self.url.host.as_str(), self.url.port)))
            .await
            .map_err(|_| network(&"connection timed out"))?
            .map_err(|e| network(&e))?;
        tcp.set_nodelay(true).map_err(|e| network(&e))?;
        let stream: Box<dyn AsyncTokioStream> = match &self.wrapper {
            Some((connector, name)) => {
                let tls = tokio::time::timeout(SMTP_TIMEOUT, connector.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| network(&"TLS handshake timed out"))?
                    .map_err(|e| network(&e))?;
                Box::new(Encrypted(tls))
            }
            None => Box::new(tcp),
        };
        let mut connection =
            tokio::time::timeout(SMTP_TIMEOUT, AsyncSmtpConnection::connect_with_transport(stream, &self.hello))
                .await
                .map_err(|_| network(&"no greeting"))??;
        match (self.url.security, &self.starttls) {
            (Security::Opportunistic, Some(tls)) if connection.can_starttls() => {
                connection.starttls(tls.clone(), &self.hello).await?;
            }
            (Security::Required, Some(tls)) => {
                if !connection.can_starttls() {
                    return Err(network(&"the server does not offer STARTTLS, which ?tls=required insists on"));
                }
                connection.starttls(tls.clone(), &self.hello).await?;
            }
            _ => {}
        }
        if let Some((user, password)) = &self.url.credentials {
            connection.auth(DEFAULT_MECHANISMS, &Credentials::new(user.clone(), password.clone())).await?;
        }
        Ok(connection)
    }

    fn idle(&self) -> Option<AsyncSmtpConnection> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop()
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(connection);
    }

    /// Sends one message on an idle connection or a new one. A reused connection the server
    /// closed meanwhile (an idle timeout) is replaced once, at once.
    async fn send(&self, envelope: &Envelope, bytes: &[u8]) -> Result<(), Failure> {
        let _permit = self.permits.acquire().await.map_err(|e| Failure::Network(e.to_string()))?;
        let (mut connection, reused) = match self.idle() {
            Some(connection) => (connection, true),
            None => (self.connect().await?, false),
        };
        let attempt = tokio::time::timeout(SMTP_TIMEOUT, connection.send(envelope, bytes)).await;
        let error = match attempt {
            Ok(Ok(_)) => {
                self.keep(connection);
                return Ok(());
            }
            Ok(Err(error)) => Failure::Smtp(error),
            Err(_) => Failure::Network("the server did not answer in time".to_owned()),
        };
        connection.abort().await;
        let stale = reused && !matches!(&error, Failure::Smtp(e) if e.is_response());
        if !stale {
            return Err(error);
        }
        let mut connection = self.connect().await?;
        match tokio::time::timeout(SMTP_TIMEOUT, connection.send(envelope, bytes)).await {
            Ok(Ok(_)) => {
                self.keep(connection);
                Ok(())
            }
            Ok(Err(error)) => {
                connection.abort().await;
                Err(Failure::Smtp(error))
            }
            Err(_) => {
                connection.abort().await;
                Err(Failure::Network("the server did not answer in time".to_owned()))
            }
        }
    }
}

impl Sender {
    /// Over SMTP, at most `connections` at once.
    pub fn smtp(url: SmtpUrl, from: Mailbox, connections: u32) -> Result<Sender, ConfigError> {
        let tls_error = |e: &dyn std::fmt::Display| ConfigError::SmtpUrl(format!("TLS for {}: {e}", url.host));
        let starttls = match url.security {
            Security::Opportunistic | Security::Required => {
                Some(TlsParameters::new(url.host.clone()).map_err(|e| tls_error(&e))?)
            }
            Security::Wrapper | Security::None => None,
        };
        let wrapper = match url.security {
            Security::Wrapper => {
                let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| tls_error(&e))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                let name = rustls::pki_types::ServerName::try_from(url.host.clone()).map_err(|e| tls_error(&e))?;
                Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
            }
            _ => None,
        };
        let size = usize::try_from(connections.max(1)).unwrap_or(1);
        let pool = Pool {
            url,
            hello: ClientId::default(),
            starttls,
            wrapper,
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(size),
        };
        Ok(Sender { from, transport: Transport::Smtp(Arc::new(pool)) })
    }

    /// Into `dir`, one `.eml` file per message, named by its outbox id.
    pub fn files(dir: PathBuf, from: Mailbox) -> Sender {
        Sender { from, transport: Transport::Files(dir) }
    }

    /// Where messages go, for the log: `smtp://host:port` or the folder.
    pub fn destination(&self) -> String {
        match &self.transport {
            Transport::Smtp(pool) => {
                let scheme = if pool.url.security == Security::Wrapper { "smtps" } else { "smtp" };
                format!("{scheme}://{}:{}", pool.url.host, pool.url.port)
            }
            Transport::Files(dir) => dir.display().to_string(),
        }
    }

    /// Whether the SMTP server answers now (files: whether the folder can be made). The service
    /// starts either way; messages wait in the outbox.
    pub async fn check(&self) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(pool) => match pool.connect().await {
                Ok(connection) => {
                    pool.keep(connection);
                    Ok(())
                }
                Err(Failure::Smtp(error)) => Err(error.to_string()),
                Err(Failure::Network(error)) => Err(error),
            },
            Transport::Files(dir) => tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string()),
        }
    }

    /// The message as it goes on the wire.
    pub fn message(&self, mail: &OutgoingMail) -> Result<Message, DeliveryError> {
        let to: Mailbox = mail.recipient.parse().map_err(|e| {
            DeliveryError::Permanent(format!("the recipient {:?} is not an address: {e}", mail.recipient))
        })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .date_now()
            .raw_header(header("Auto-Submitted", "auto-generated".to_owned()));
        if let Some(url) = &mail.unsubscribe {
            builder = builder
                .raw_header(header("List-Unsubscribe", format!("<{url}>")))
                .raw_header(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()));
        }
        let body = MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone()))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html.clone()));
        builder.multipart(body).map_err(|e| DeliveryError::Permanent(format!("the message cannot be built: {e}")))
    }
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

impl Mailer for Sender {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), DeliveryError> {
        let message = self.message(mail)?;
        match &self.transport {
            Transport::Smtp(pool) => {
                pool.send(message.envelope(), &message.formatted()).await.map_err(Failure::delivery)
            }
            Transport::Files(dir) => {
                let failed = |e: std::io::Error| DeliveryError::Temporary(format!("{}: {e}", dir.display()));
                tokio::fs::create_dir_all(dir).await.map_err(failed)?;
                // Written whole, then renamed: a reader never sees half a message, and a message
                // sent again after a crash replaces its own file.
                let path = dir.join(format!("{:08}.eml", mail.id));
                let partial = dir.join(format!(".{:08}.eml.partial", mail.id));
                tokio::fs::write(&partial, message.formatted()).await.map_err(failed)?;
                tokio::fs::rename(&partial, &path).await.map_err(failed)?;
                tracing::info!(mail = mail.id, path = %path.display(), "message written, not sent: no SMTP server is configured");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_parse_with_their_defaults() {
        let url = SmtpUrl::parse("smtp://mail.example.org").expect("plain");
        assert_eq!(
            (url.host.as_str(), url.port, url.security, url.credentials),
            ("mail.example.org", 587, Security::Opportunistic, None)
        );
        let url = SmtpUrl::parse("smtps://ketnoi:p%40ss:word@mail.example.org:2465").expect("smtps");
        assert_eq!((url.port, url.security), (2465, Security::Wrapper));
        assert_eq!(url.credentials, Some(("ketnoi".to_owned(), "p@ss:word".to_owned())));
        assert_eq!(SmtpUrl::parse("smtp://127.0.0.1:2525?tls=none").expect("none").security, Security::None);
        assert_eq!(SmtpUrl::parse("smtp://[::1]:2525").expect("v6").host, "::1");
        assert!(!format!("{url:?}").contains("p@ss"), "the password stays out of logs");
    }

    #[test]
    fn malformed_smtp_urls_say_what_is_wrong() {
        for (url, says) in [
            ("mail.example.org", "no scheme"),
            ("http://mail.example.org", "unknown scheme"),
            ("smtp://mail.example.org:port", "not a number"),
            ("smtp://mail.example.org:0", "from 1 to 65535"),
            ("smtp://", "no host"),
            ("smtp://host/path", "path"),
            ("smtp://host?tls=maybe", "unknown option"),
            ("smtp://us%zzer:pw@host", "%-escape"),
        ] {
            let error = SmtpUrl::parse(url).expect_err(url).to_string();
            assert!(error.starts_with("--smtp-url: ") && error.contains(says), "{url}: {error}");
        }
    }

    #[test]
    fn messages_carry_their_id_and_the_unsubscribe_headers() {
        let sender =
            Sender::files(PathBuf::from("/nonexistent"), parse_from("Techfest <ketnoi@example.org>").expect("from"));
        let mail = OutgoingMail {
            id: 7,
            message_id: "<ketnoi.7.abc@example.org>".to_owned(),
            recipient: "lan@example.org".to_owned(),
            subject: "Sen Ventures đề nghị gặp bạn".to_owned(),
            text: "Xin chào".to_owned(),
            html: "<p>Xin chào</p>".to_owned(),
            unsubscribe: Some("https://ketnoi.example/unsubscribe/3/digest/abc".to_owned()),
        };
        let wire = String::from_utf8(sender.message(&mail).expect("message").formatted()).expect("utf-8");
        assert!(wire.contains("Message-ID: <ketnoi.7.abc@example.org>"), "{wire}");
        assert!(wire.contains("List-Unsubscribe: <https://ketnoi.example/unsubscribe/3/digest/abc>"), "{wire}");
        assert!(wire.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{wire}");
        assert!(wire.contains("multipart/alternative"), "{wire}");
        let security = OutgoingMail { unsubscribe: None, ..mail.clone() };
        let wire = String::from_utf8(sender.message(&security).expect("message").formatted()).expect("utf-8");
        assert!(!wire.contains("List-Unsubscribe"), "{wire}");
        let refused = OutgoingMail { recipient: "not an address".to_owned(), ..mail };
        assert!(matches!(sender.message(&refused), Err(DeliveryError::Permanent(_))));
    }
}
