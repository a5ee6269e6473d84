//! A real SMTP server for the tests: `fixtures/smtp_sink.py` on Debian's python3-aiosmtpd,
//! spoken to over TCP. What it receives is read back as a mailbox would show it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::fixture;

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub headers: serde_json::Map<String, Value>,
    pub text: String,
    pub html: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(&name.to_ascii_lowercase()).and_then(Value::as_str).unwrap_or_default()
    }

    pub fn subject(&self) -> &str {
        self.header("subject")
    }

    /// The first link in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self.text.find(prefix).unwrap_or_else(|| panic!("no link to {prefix} in {}", self.text));
        self.text[start..].split_whitespace().next().unwrap_or_default().to_owned()
    }
}

/// The SMTP server, listening on 127.0.0.1:`port` until stopped or dropped.
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// Debian's Python, which has python3-aiosmtpd (another `python3` on the PATH may not).
fn python() -> PathBuf {
    let debian = PathBuf::from("/usr/bin/python3");
    if debian.exists() { debian } else { PathBuf::from("python3") }
}

impl SmtpSink {
    /// On a free port.
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(free_port())
    }

    /// On `port` (a sink stopped earlier starts again where it was).
    pub fn start_on(port: u16) -> SmtpSink {
        let mut sink = SmtpSink { port, dir: tempfile::tempdir().expect("mailbox folder"), child: None };
        sink.resume();
        sink
    }

    /// Starts listening again, keeping what was received.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "the SMTP server runs already");
        let mut child = Command::new(python())
            .arg(fixture("smtp_sink.py"))
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP server (python3-aiosmtpd: bash .ci/install-test-tools)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
        assert_eq!(line.trim(), "ready", "the SMTP server did not start (is python3-aiosmtpd installed?)");
        self.child = Some(child);
    }

    /// Stops listening: connections are refused until [`SmtpSink::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("mailbox")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| {
                let record: Value =
                    serde_json::from_str(&std::fs::read_to_string(path).expect("message")).expect("json");
                Received {
                    to: record["rcpt_tos"][0].as_str().unwrap_or_default().to_owned(),
                    headers: record["headers"].as_object().cloned().unwrap_or_default(),
                    text: record["text"].as_str().unwrap_or_default().to_owned(),
                    html: record["html"].as_str().unwrap_or_default().to_owned(),
                }
            })
            .collect()
    }

    /// The messages received once at least `count` have come, within `patience`.
    pub async fn wait_for(&self, count: usize, patience: Duration) -> Vec<Received> {
        let deadline = Instant::now() + patience;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} messages arrived in {patience:?}: {:#?}",
                received.len(),
                received.iter().map(|m| (&m.to, m.subject())).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received().into_iter().filter(|m| m.to == address).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
