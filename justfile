# Everyday recipes; each mirrors a step of .ci/run. Install just with `pip install rust-just`.

default: test

# The tests on the embedded SQLite database (the README's test command), browser tests included.
test:
    bash .ci/install-test-tools
    cargo test --workspace

# Retakes the screenshots in docs/screenshots from the browser tests.
screenshots:
    bash .ci/install-test-tools
    KETNOI_SCREENSHOTS=1 cargo test --test e2e -- browser:: report::the_report_fits_a_phone_and_prints

# The storage and end-to-end suites on PostgreSQL (starts the local cluster if needed).
test-pg:
    bash .ci/test-pg

# Fuzz the API from its OpenAPI document with schemathesis (after `just test`).
fuzz-api:
    bash .ci/fuzz-api

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# The demo event, served on http://127.0.0.1:8080/.
demo:
    cargo run --release -- demo

# Import speed for 10,000 startups (see docs/benchmarks.md).
bench-import:
    cargo bench --bench import

# The scheduler against greedy and its upper bound, then the exact ILP reference (HiGHS).
bench-schedule:
    cargo bench -p ketnoi-domain --bench schedule
    python3 -m venv target/bench-venv && target/bench-venv/bin/pip install -q highspy==1.16.0 numpy
    target/bench-venv/bin/python benches/schedule_exact.py --time-limit 60

# Everything CI runs.
ci:
    bash .ci/run

# What the public pages and API cost against bare axum, over loopback with wrk (see docs/benchmarks.md).
load:
    bash benches/load.sh
