#!/usr/bin/env bash
# bench/loopback.sh: requests per second and p99 latency of the emulator over
# loopback, measured with wrk (Debian's package, installed if missing) from 1
# and 64 connections. Each request is an UpdateSecretVersionStage that
# attaches label X to the version already carrying it: the whole handler and
# store path, decode to encode, without changing state, so that concurrent
# connections never conflict. (awsjson's BenchmarkLoopback measures real
# moves, with Go's HTTP client as the load.) All traffic goes to 127.0.0.1.
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
duration=${DURATION:-10s}

if ! command -v wrk >/dev/null; then
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk
fi
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go -C "$repo" build -o "$tmp/emu" ./cmd/stagelabel-emulator
"$tmp/emu" -addr 127.0.0.1:0 2>"$tmp/log" &
pid=$!
for _ in $(seq 50); do
	addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$tmp/log")
	[ -n "$addr" ] && break
	sleep 0.1
done
url=http://$addr/
post() { curl -sf -X POST "$url" -H "X-Amz-Target: secretsmanager.$1" -d "$2" >/dev/null; }
post CreateSecret '{"Name":"db","ClientRequestToken":"00000001-0000-4000-8000-000000000000","SecretString":"a"}'
post PutSecretValue '{"SecretId":"db","ClientRequestToken":"00000002-0000-4000-8000-000000000000","SecretString":"b"}'
post UpdateSecretVersionStage '{"SecretId":"db","VersionStage":"X","MoveToVersionId":"00000001-0000-4000-8000-000000000000"}'
cat >"$tmp/req.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["X-Amz-Target"] = "secretsmanager.UpdateSecretVersionStage"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.body = '{"SecretId":"db","VersionStage":"X","MoveToVersionId":"00000001-0000-4000-8000-000000000000"}'
done = function(summary, latency, requests)
  io.write(string.format("req/s %.0f  p99 %d us  non-2xx %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99), summary.errors.status))
end
LUA
for c in 1 64; do
	printf 'connections=%-3s ' "$c"
	wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "$duration" -s "$tmp/req.lua" "$url" | tail -n 1
done
