//! The `ketnoi` command: import (good, bad and repeated files), bad locations, `serve`
//! shutting down cleanly on SIGTERM, malformed mail settings, and the demo's mail.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use ketnoi_store::testing::TestDatabase;
use ketnoi_store::{OrganizationQuery, Store};

use crate::support::{fixture, import_fixtures, ketnoi, stderr, stdout};

const STARTUP_HEADER: &str =
    "name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description\n";
const INVESTOR_HEADER: &str =
    "name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis\n";

async fn organization_count(db: &TestDatabase) -> u64 {
    let store = Store::connect(db.url()).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.organizations(&OrganizationQuery::default()).await.expect("list").total
}

#[tokio::test]
async fn import_creates_then_reimport_changes_nothing() {
    let db = TestDatabase::new().await;
    import_fixtures(&db);
    assert_eq!(organization_count(&db).await, 8);

    let startups = fixture("startups.csv");
    let output = ketnoi(&db, &["import", "--event", "techfest-test", "--startups", startups.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("0 created, 0 updated, 5 unchanged"), "{}", stdout(&output));
    assert_eq!(organization_count(&db).await, 8);

    // An edited row updates the organization it names; the count stays.
    let edited = std::fs::read_to_string(&startups).expect("fixture").replace("2022,6,", "2022,7,");
    let path = db.dir().join("edited.csv");
    std::fs::write(&path, edited).expect("write");
    let output = ketnoi(&db, &["import", "--event", "techfest-test", "--startups", path.to_str().expect("path")]);
    assert!(stdout(&output).contains("0 created, 1 updated, 4 unchanged"), "{}", stdout(&output));
    assert_eq!(organization_count(&db).await, 8);
}

/// Each bad file is refused with the place of the problem, and the database is left as it was.
#[tokio::test]
async fn bad_files_are_refused_and_write_nothing() {
    let db = TestDatabase::new().await;
    import_fixtures(&db);
    let good_investors = fixture("investors.csv");
    let cases: [(&str, &[u8], &str); 9] = [
        ("missing-header.csv", b"name,sectors\nA,ai\n", "column stage: missing column"),
        (
            "misspelt-header.csv",
            b"name,sector,stage,country,province,funding_ask,currency,founded,team_size,website,email,description\n",
            "column sector: unknown column (did you mean \"sectors\"?)",
        ),
        (
            "unknown-sector.csv",
            b"New Co,fintek,seed,VN,,,,,,,,\n",
            ":2: column sectors = \"fintek\": unknown sector \"fintek\" (did you mean \"fintech\"?)",
        ),
        (
            "negative.csv",
            b"New Co,ai,seed,VN,,-5,USD,,,,,\n",
            ":2: column funding_ask = \"-5\": must be greater than 0",
        ),
        (
            "not-a-number.csv",
            b"New Co,ai,seed,VN,,lots,USD,,,,,\n",
            "column funding_ask = \"lots\": \"lots\" is not a whole number",
        ),
        ("bad-email.csv", b"New Co,ai,seed,VN,,,,,,,ceo at newco,\n", "column email = \"ceo at newco\""),
        ("latin1.csv", b"N\xf4ng Co,ai,seed,VN,,,,,,,,\n", ":2: column name"),
        ("empty.csv", b"", "the file is empty"),
        ("future.csv", b"New Co,ai,seed,VN,,,,2999,,,,\n", "must not be in the future"),
    ];
    for (name, body, expected) in cases {
        let path = db.dir().join(name);
        let content = if body.is_empty() || body.starts_with(b"name,") {
            body.to_vec()
        } else {
            [STARTUP_HEADER.as_bytes(), body].concat()
        };
        std::fs::write(&path, content).expect("write");
        // A good investors file alongside: it must not be written either.
        let output = ketnoi(
            &db,
            &[
                "import",
                "--event",
                "techfest-test",
                "--startups",
                path.to_str().expect("path"),
                "--investors",
                good_investors.to_str().expect("path"),
            ],
        );
        assert!(!output.status.success(), "{name} was accepted");
        assert!(stderr(&output).contains(expected), "{name}: expected {expected:?} in:\n{}", stderr(&output));
        assert!(stderr(&output).contains("nothing was written"), "{name}: {}", stderr(&output));
    }
    let investors = db.dir().join("ticket.csv");
    std::fs::write(&investors, format!("{INVESTOR_HEADER}New Fund,vc,ai,seed,900,100,USD,VN,,,\n")).expect("write");
    let output = ketnoi(&db, &["import", "--event", "techfest-test", "--investors", investors.to_str().expect("path")]);
    assert!(
        stderr(&output).contains(":2: column ticket_min = \"900\": must not exceed ticket_max (900 > 100)"),
        "{}",
        stderr(&output)
    );
    let new_event =
        ketnoi(&db, &["import", "--event", "another-event", "--investors", investors.to_str().expect("path")]);
    assert!(!new_event.status.success());

    assert_eq!(organization_count(&db).await, 8, "nothing was written by any bad import");
    let store = Store::connect(db.url()).await.expect("connect");
    let slug = ketnoi_domain::event::EventSlug::parse("another-event").expect("slug");
    assert!(store.find_event(&slug).await.expect("query").is_none(), "a refused import creates no event");
}

#[tokio::test]
async fn import_needs_files_that_exist() {
    let db = TestDatabase::new().await;
    let output = ketnoi(&db, &["import", "--event", "techfest-test"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("give --startups FILE, --investors FILE or both"), "{}", stderr(&output));
    let output = ketnoi(&db, &["import", "--event", "techfest-test", "--startups", "/no/such/file.csv"]);
    assert!(stderr(&output).contains("startups file /no/such/file.csv: No such file"), "{}", stderr(&output));
    let output = ketnoi(&db, &["import", "--event", "Bad Slug", "--startups", "/no/such/file.csv"]);
    assert!(stderr(&output).contains("--event: \"Bad Slug\" is not an event slug"), "{}", stderr(&output));
}

#[test]
fn unreachable_database_and_unwritable_data_dir_are_reported() {
    let output = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["migrate", "--data-dir", std::env::temp_dir().to_str().expect("path")])
        .args(["--database-url", "postgres://ketnoi@127.0.0.1:1/nothing"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("error: cannot use the database"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // A path below a regular file can never be created, even by root.
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let data_dir = file.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["migrate", "--data-dir", data_dir.to_str().expect("path")])
        .output()
        .expect("run");
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains(&format!("error: data directory {}: cannot create it", data_dir.display())), "{message}");
}

/// `ketnoi serve --listen 127.0.0.1:0` prints its address, answers, and exits 0 on SIGTERM.
#[tokio::test]
async fn serve_prints_its_url_and_stops_on_sigterm() {
    let db = TestDatabase::new().await;
    import_fixtures(&db);
    let mut child = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(db.dir())
        .args(["--database-url", db.url()])
        .env("KETNOI_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start ketnoi serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
    let url = line.trim().strip_prefix("ketnoi is listening on ").expect("url line").to_owned();
    let body = reqwest::get(format!("{url}api/v1/organizations?kind=investor"))
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(body.contains("Han River Ventures"), "{body}");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "serve exited with {exit:?} after SIGTERM");
}

/// `ketnoi schedule` on a generated instance: JSON in, a valid schedule out, with the bound.
#[test]
fn schedule_reads_the_contract_and_writes_a_valid_schedule() {
    use ketnoi_domain::schedule::generate::{Spec, instance};
    use ketnoi_domain::schedule::{Instance, Output};
    let spec = Spec {
        startups: 20,
        investors: 20,
        meetings: 0,
        slots: 6,
        tables: 20,
        blocked_percent: 0,
        regular: Some(6),
        weighted: false,
        runs: None,
        steep: false,
    };
    let input = instance(&spec, 9);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("regular.json");
    std::fs::write(&path, serde_json::to_string(&input).expect("json")).expect("write");
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ketnoi");
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("output")
    };
    let output = run(&["schedule", "--instance", path.to_str().expect("path")], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let result: Output = serde_json::from_slice(&output.stdout).expect("the contract's output");
    assert_eq!(result.stats.scheduled, 120);
    assert_eq!(result.stats.upper_bound, 120);
    assert!(result.unscheduled.is_empty());
    // At the bound: optimal, no gap.
    let stats = serde_json::to_value(&result.stats).expect("json");
    assert_eq!(stats["status"], "optimal", "{stats}");
    assert_eq!(stats["gap"], serde_json::json!({"meetings": 0, "weight": 0.0}));
    assert_eq!(stats["weight_bound"], 120.0);
    // Checked against the instance by the same rules as the scheduler's own tests.
    let (problem, labels) = Instance::from_input(&input).expect("valid");
    let mut seen = std::collections::HashSet::new();
    for a in &result.assignments {
        let index = labels.meetings.iter().position(|id| id == &a.meeting).expect("known meeting");
        let m = &problem.meetings[index];
        assert!(seen.insert((a.slot.clone(), m.a)) && seen.insert((a.slot.clone(), m.b)), "double booking");
        assert!(seen.insert((a.slot.clone(), usize::MAX - a.table as usize)), "table used twice");
    }

    // Standard input with `-`, and the greedy baseline for comparison.
    let text = serde_json::to_string(&input).expect("json");
    let greedy = run(&["schedule", "--greedy", "--instance", "-"], Some(&text));
    let greedy: Output = serde_json::from_slice(&greedy.stdout).expect("output");
    assert!(greedy.stats.scheduled <= 120);

    // A time limit of zero or below is refused, naming the option.
    for limit in ["0", "-1", "nan"] {
        let refused = run(&["schedule", "--time-limit", limit, "--instance", "-"], Some(&text));
        assert!(!refused.status.success(), "{limit}");
        assert!(stderr(&refused).contains("--time-limit"), "{}", stderr(&refused));
        assert!(refused.stdout.is_empty());
    }
    let quick = run(&["schedule", "--time-limit", "0.5", "--instance", "-"], Some(&text));
    assert!(quick.status.success(), "{}", stderr(&quick));

    // Bad instances name the item and exit non-zero.
    let bad = text.replacen("\"a\":\"s0\"", "\"a\":\"s999\"", 1).replacen("\"id\":\"m1\"", "\"id\":\"m0\"", 1);
    let refused = run(&["schedule", "--instance", "-"], Some(&bad));
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(message.contains("is not a participant") && message.contains("\"s999\""), "{message}");
    assert!(message.contains("meeting \"m0\": the id is used twice"), "{message}");
    assert!(refused.stdout.is_empty());
    let garbage = run(&["schedule", "--instance", "-"], Some("{\"slots\": 5}"));
    assert!(!garbage.status.success());
    assert!(stderr(&garbage).contains("not a scheduling instance"), "{}", stderr(&garbage));
}

/// Malformed mail settings stop `serve` before anything starts, naming the flag.
#[tokio::test]
async fn malformed_mail_settings_stop_the_command_naming_the_flag() {
    let db = TestDatabase::new().await;
    for (flag, value, says) in [
        ("--smtp-url", "mail.example.org:25", "--smtp-url: no scheme"),
        ("--smtp-url", "smtp://mail.example.org:twenty-five", "--smtp-url: the port \"twenty-five\""),
        ("--smtp-url", "imap://mail.example.org", "--smtp-url: unknown scheme"),
        ("--mail-from", "not an address", "--mail-from: \"not an address\" is not an address"),
        ("--public-url", "match.techfest.vn", "--public-url: \"match.techfest.vn\" is not an http(s) address"),
    ] {
        let output = ketnoi(&db, &["serve", "--listen", "127.0.0.1:0", flag, value]);
        assert!(!output.status.success(), "{flag} {value} was taken");
        assert!(stderr(&output).contains(says), "{flag} {value}: {}", stderr(&output));
    }
}

/// The demo's seeded history sends nothing; what people do in it does. Without an SMTP server
/// each message is an `.eml` file under DATA_DIR/mail.
#[tokio::test]
async fn the_demo_mails_what_people_do_as_eml_files() {
    let db = TestDatabase::new().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ketnoi"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(db.dir())
        .args(["--database-url", db.url()])
        .env("KETNOI_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start ketnoi demo");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read");
    let base = line.trim().strip_prefix("ketnoi is listening on ").expect("url line").trim_end_matches('/').to_owned();
    // The demo prints its logins after: keep reading, or its next line meets a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let mail_dir = db.dir().join("mail");
    let eml = || -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(&mail_dir)
            .map(|dir| {
                dir.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    };
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(eml().is_empty(), "the seeded history sent {:?}", eml());

    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "startup@techfest.ketnoi.demo", "password": "ketnoi-demo-2023"}))
        .send()
        .await
        .expect("login");
    let cookie = login.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("cookie").to_owned();
    let store = Store::connect(db.url()).await.expect("connect");
    let demo_investor = store
        .user_by_email(&ketnoi_domain::validate::Email::parse("investor@techfest.ketnoi.demo").expect("email"))
        .await
        .expect("user")
        .expect("the demo investor");
    let to = demo_investor.organization_id.expect("organization");
    let sent = client
        .post(format!("{base}/api/v1/events/techfest-haiphong-2023/requests"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"to": to, "message": "Chào anh chị"}))
        .send()
        .await
        .expect("request");
    assert_eq!(sent.status(), 201, "{:?}", sent.text().await);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while eml().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no .eml file in {}", mail_dir.display());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let files = eml();
    assert_eq!(files.len(), 1, "{files:?}");
    let message = std::fs::read_to_string(&files[0]).expect("eml");
    assert!(message.contains("To: investor@techfest.ketnoi.demo"), "{message}");
    assert!(message.contains("List-Unsubscribe: <http://127.0.0.1:"), "{message}");
    child.kill().ok();
    child.wait().ok();
}
