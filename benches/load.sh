#!/usr/bin/env bash
# `just load`: what ketnoi's public pages and API cost, against a bare axum baseline built and
# run beside it, measured in one run over loopback with wrk.
#
# It builds ketnoi and the baseline (release), serves the demo event from a fresh data
# directory, then loads each endpoint in turn for a bounded time and prints requests/s, p50
# and p99 with the ratios the targets are set in: the search API against bare axum (target
# 8% or more), every public page and answer against the search API (target 40% or more).
# The search API is loaded twice: one search asked by everyone (a crowd after a keynote,
# served from the answers kept for a second), and a different search on every request
# (benches/varied-search.lua), which the kept answers never serve.
#
#   bash benches/load.sh                   # 6 s an endpoint, 2 threads, 32 connections
#   LOAD_SECONDS=10 LOAD_CONNECTIONS=64 bash benches/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${LOAD_SECONDS:-6}
connections=${LOAD_CONNECTIONS:-32}
threads=${LOAD_THREADS:-2}
ketnoi_port=${LOAD_KETNOI_PORT:-18080}
bare_port=${LOAD_BARE_PORT:-18081}

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -q wrk >/dev/null
    else
        echo "wrk is missing: install it (Debian: apt-get install wrk)" >&2
        exit 1
    fi
fi

cargo build --release --bin ketnoi --example bare_axum

data=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT

target/release/examples/bare_axum "127.0.0.1:$bare_port" >/dev/null &
pids+=($!)
target/release/ketnoi --data-dir "$data" demo --listen "127.0.0.1:$ketnoi_port" >"$data/serve.log" 2>&1 &
pids+=($!)

base="http://127.0.0.1:$ketnoi_port"
for _ in $(seq 1 600); do
    if curl -fs "$base/readyz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$bare_port/" >/dev/null 2>&1; then
        break
    fi
    sleep 0.1
done
curl -fs "$base/readyz" >/dev/null || { echo "ketnoi did not become ready:" >&2; tail -20 "$data/serve.log" >&2; exit 1; }

slug=techfest-haiphong-2023
organization=$(curl -fs "$base/api/v1/organizations?q=logistics&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

# name|url|what it is compared with (bare-only: no target)|wrk script, if any
endpoints=(
    "bare axum: GET /|http://127.0.0.1:$bare_port/|"
    "GET /healthz|$base/healthz|search"
    "GET /api/v1/organizations?q=nong%20nghiep&limit=10 (the search API)|$base/api/v1/organizations?q=nong%20nghiep&limit=10|bare"
    "GET /api/v1/organizations?q=…&limit=… (a different search each request)|$base/|bare-only|benches/varied-search.lua"
    "GET /api/v1/organizations/{id}|$base/api/v1/organizations/$organization|search"
    "GET /api/v1/events/{slug}|$base/api/v1/events/$slug|search"
    "GET /api/v1/events/{slug}/figures|$base/api/v1/events/$slug/figures|search"
    "GET /e/{slug} (event home)|$base/e/$slug|search"
    "GET /e/{slug}/search?q=nong+nghiep|$base/e/$slug/search?q=nong+nghiep|search"
)

# Each endpoint is checked once (a 200) before it is loaded.
for entry in "${endpoints[@]}"; do
    IFS='|' read -r name url _ script <<<"$entry"
    [ -z "$script" ] || url="$base/api/v1/organizations?q=cang&limit=10"
    status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
    [ "$status" = 200 ] || { echo "$name answered $status" >&2; exit 1; }
done

results=()
for entry in "${endpoints[@]}"; do
    IFS='|' read -r name url against script <<<"$entry"
    out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency ${script:+-s "$script"} "$url")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
    results+=("$name|$rps|$p50|$p99|$against|${errors:-0}")
    echo "  $name: $rps requests/s" >&2
done

python3 - "$seconds" "$threads" "$connections" "${results[@]}" <<'PY'
import sys
seconds, threads, connections = sys.argv[1:4]
rows = [line.split("|") for line in sys.argv[4:]]
rate = {"bare": float(rows[0][1])}
rate["bare-only"] = rate["bare"]
# The first row compared with bare axum is the search API's, the one the pages are compared with.
rate["search"] = next(float(r[1]) for r in rows if r[4] == "bare")
target = {"bare": 0.08, "search": 0.40}
print(f"\nwrk -t{threads} -c{connections} -d{seconds}s over loopback, one endpoint at a time\n")
print("| endpoint | requests/s | p50 | p99 | ratio | target | |")
print("|---|---:|---:|---:|---:|---:|---|")
failed = 0
for name, rps, p50, p99, against, errors in rows:
    rps = float(rps)
    if not against:
        ratio, goal, verdict = "", "", ""
    else:
        share = rps / rate[against]
        ratio = f"{share:.1%} of {'the search API' if against == 'search' else 'bare axum'}"
        goal, verdict = "", ""
        if against in target:
            goal = f"≥ {target[against]:.0%}"
            verdict = "ok" if share >= target[against] else "BELOW"
            failed += share < target[against]
    if errors != "0":
        verdict += f" ({errors} non-2xx)"
        failed += 1
    print(f"| `{name}` | {rps:,.0f} | {p50} | {p99} | {ratio} | {goal} | {verdict} |")
print()
print("every target holds" if failed == 0 else f"{failed} below target")
PY
