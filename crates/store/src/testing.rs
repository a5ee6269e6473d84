//! Fresh databases for tests (feature `testing`): a SQLite file in a temporary directory by
//! default, or a new PostgreSQL database on the server named by `KETNOI_TEST_DATABASE_URL`.
//! Everything is removed when the value is dropped, even if the test panicked.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, Database};

/// The variable that points the suites at PostgreSQL.
pub const TEST_DATABASE_URL: &str = "KETNOI_TEST_DATABASE_URL";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    postgres: Option<(String, String)>,
    dir: tempfile::TempDir,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDatabase {
    /// Creates the database; panics with the reason when it cannot (this is test support).
    pub async fn new() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary directory for the test database");
        match std::env::var(TEST_DATABASE_URL).ok().filter(|url| !url.is_empty()) {
            None => TestDatabase { url: crate::sqlite_file_url(&dir.path().join("test.db")), postgres: None, dir },
            Some(admin_url) => {
                let name = format!(
                    "ketnoi_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    jiff::Timestamp::now().as_millisecond() % 100_000_000
                );
                let admin = Database::connect(&admin_url).await.expect("connect to KETNOI_TEST_DATABASE_URL");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                admin.close().await.ok();
                TestDatabase { url: with_database(&admin_url, &name), postgres: Some((admin_url, name)), dir }
            }
        }
    }

    /// The database URL to give to `Store::connect` or `--database-url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A temporary directory that lives as long as the database, for data files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{prefix}/{name}?{query}"),
        None => format!("{prefix}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        // Drop may run inside a runtime: do the async clean-up on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let admin = Database::connect(&admin_url).await.ok()?;
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok()?;
                admin.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop a test database");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(with_database("postgres://u@h:5432/test", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
