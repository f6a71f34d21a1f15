#!/usr/bin/env bash
# bench/compare.sh: stagelabel's emulator and moto's server side by side,
# measured the same way, on 127.0.0.1 only:
#
#   - start-up: from the exec to the first answered request (ListSecrets,
#     HTTP 200), polled every 10 ms with curl;
#   - RSS (VmRSS of the server's process) after start-up, and then after
#     creating $SECRETS secrets of 100 bytes over one keep-alive connection
#     (before the load below);
#   - GetSecretValue and PutSecretValue, requests/second and p50/p99
#     latency, driven by wrk (Debian's package, installed if missing) from
#     1 and 16 connections, one wrk thread, for $DURATION each. Every
#     PutSecretValue carries a new ClientRequestToken (a uuid made in wrk's
#     Lua) and goes to one secret, as a rotation's writes do;
#   - fidelity: bench/fidelity.py, the same boto3 checks of behaviours
#     recorded from AWS (docs/semantics.md [R]) against each server.
#
# Each measurement is repeated $ROUNDS times, the two servers interleaved
# (each round starts a fresh server of each), and the median is reported
# with the range. It prints the results and a Markdown table. It needs go,
# curl, python3 with moto[server] and boto3 (pip install 'moto[server]'
# boto3), and wrk. LocalStack is not measured: it runs in Docker.
#
# Bounded in time: each wait polls at most 30 s, each wrk run lasts
# $DURATION (plus its 2 s timeout), the fidelity checks at most 5 minutes
# a server (each call 10 s, not retried); with the defaults (ROUNDS=3,
# DURATION=5s, SECRETS=1000) a run takes about 3 minutes. Every process it
# starts is stopped on exit.
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-5s}
secrets=${SECRETS:-1000}

if ! command -v wrk >/dev/null; then
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk
fi
# The interpreter itself, not a version manager's shim, so that start-up
# measures moto and not the shim.
python=$(python3 -c 'import sys; print(sys.executable)')
"$python" -c 'import moto.server, boto3' || {
	echo "compare.sh: needs moto's server and boto3: pip install 'moto[server]' boto3" >&2
	exit 2
}

tmp=$(mktemp -d)
pid=
stop() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
	fi
}
trap 'stop; rm -rf -- "$tmp"' EXIT
go -C "$repo" build -o "$tmp/emu" ./cmd/stagelabel-emulator

free_port() {
	"$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The headers of every request: an Authorization with dummy credentials
# naming us-east-1, which moto reads its region from (neither server
# checks it).
auth='AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0'
post() { # post URL TARGET BODY: one request, fails unless HTTP 200
	curl -sf -m 5 -o /dev/null -X POST "$1" -H "X-Amz-Target: secretsmanager.$2" \
		-H 'Content-Type: application/x-amz-json-1.1' -H "Authorization: $auth" -d "$3"
}

# start SERVER [quiet]: starts it on a free port, sets $pid and $url, and
# records its start-up time and RSS unless quiet.
start() {
	local server=$1 quiet=${2:-} port t0 t1 i
	port=$(free_port)
	url=http://127.0.0.1:$port/
	t0=$(date +%s%N)
	case $server in
	stagelabel) "$tmp/emu" -addr "127.0.0.1:$port" 2>"$tmp/$server.log" & ;;
	moto) "$python" -m moto.server -H 127.0.0.1 -p "$port" >"$tmp/$server.log" 2>&1 & ;;
	esac
	pid=$!
	for i in $(seq 3000); do
		post "$url" ListSecrets '{}' 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || { cat "$tmp/$server.log" >&2; exit 1; }
		((i < 3000)) || { echo "compare.sh: $server does not answer" >&2; exit 1; }
		sleep 0.01
	done
	t1=$(date +%s%N)
	[[ -z $quiet ]] || return 0
	record "$server" "start-up to first answer (ms)" $(((t1 - t0) / 1000000))
	record "$server" "RSS after start-up (MiB)" "$(rss "$pid")"
}

rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

record() { # record SERVER METRIC VALUE
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$tmp/results"
	printf '  %-10s %-45s %s\n' "$1" "$2" "$3"
}

# create_secrets URL N: N CreateSecret calls over one keep-alive connection.
create_secrets() {
	"$python" - "$1" "$2" "$auth" <<'EOF'
import http.client, json, sys, urllib.parse, uuid
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
for i in range(int(sys.argv[2])):
    body = json.dumps({"Name": "bulk/%06d" % i, "ClientRequestToken": str(uuid.uuid4()), "SecretString": "x" * 100})
    c.request("POST", "/", body=body, headers={"X-Amz-Target": "secretsmanager.CreateSecret",
              "Content-Type": "application/x-amz-json-1.1", "Authorization": sys.argv[3]})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("CreateSecret %d: HTTP %d" % (i, r.status))
EOF
}

# The Lua scripts: a GetSecretValue of "db"; a PutSecretValue to "db" with
# a new ClientRequestToken each time.
done_lua='
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.0f %.0f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end'
cat >"$tmp/get.lua" <<LUA
wrk.method = "POST"
wrk.headers["X-Amz-Target"] = "secretsmanager.GetSecretValue"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["Authorization"] = "$auth"
wrk.body = '{"SecretId":"db"}'
$done_lua
LUA
cat >"$tmp/put.lua" <<LUA
wrk.method = "POST"
wrk.headers["X-Amz-Target"] = "secretsmanager.PutSecretValue"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["Authorization"] = "$auth"
math.randomseed(os.time())
local n, run = 0, math.random(0, 0xffffff)
request = function()
  n = n + 1
  local body = string.format('{"SecretId":"db","SecretString":"value %d","ClientRequestToken":"%08x-0000-4000-8000-%012x"}', n, run, n)
  return wrk.format(nil, nil, nil, body)
end
$done_lua
LUA

load() { # load SERVER OP CONNECTIONS
	local out
	out=$(wrk -t 1 -c "$3" -d "$duration" --timeout 2s -s "$tmp/$2.lua" "$url" | sed -n 's/^RESULT //p')
	read -r rps p50 p99 non2xx sockerr <<<"$out"
	record "$1" "$2 c=$3 requests/s" "$rps"
	record "$1" "$2 c=$3 p50 (ms)" "$(awk -v us="$p50" 'BEGIN { printf "%.2f", us / 1000 }')"
	record "$1" "$2 c=$3 p99 (ms)" "$(awk -v us="$p99" 'BEGIN { printf "%.2f", us / 1000 }')"
	record "$1" "$2 c=$3 failed requests (non-2xx or socket errors)" $((non2xx + sockerr))
	if ((non2xx > 0)); then # what the server's log says of them (moto logs each request's status)
		grep -E '" [1-9][0-9]{2} |Error|Exception' "$tmp/$1.log" | grep -v '" 200 ' | tail -n 5 | sed 's/^/    log: /' || true
	fi
}

echo "# $(date -u +%FT%TZ), $(nproc) cores, $(uname -sr); moto $("$python" -c 'import moto; print(moto.__version__)'), boto3 $("$python" -c 'import boto3; print(boto3.__version__)'), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)"
echo "# rounds=$rounds duration=$duration secrets=$secrets; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
	echo "== round $round"
	for server in stagelabel moto; do
		start "$server"
		create_secrets "$url" "$secrets"
		record "$server" "RSS after $secrets secrets (MiB)" "$(rss "$pid")"
		post "$url" CreateSecret '{"Name":"db","ClientRequestToken":"00000001-0000-4000-8000-000000000000","SecretString":"a value of about thirty bytes"}'
		for op in get put; do
			for c in 1 16; do
				load "$server" "$op" "$c"
			done
		done
		stop
	done
done

echo "== fidelity (bench/fidelity.py)"
for server in stagelabel moto; do
	start "$server" quiet
	timeout 300 "$python" "$repo/bench/fidelity.py" "${url%/}" "$server" >"$tmp/fidelity.$server" || true
	grep '^FAIL' -A1 "$tmp/fidelity.$server" | sed 's/^/  /' || true
	summary=$(tail -n 1 "$tmp/fidelity.$server")
	echo "  $summary"
	record "$server" "fidelity: recorded AWS behaviours (bench/fidelity.py)" "${summary##*: }"
	stop
done

echo "== operations answered (of botocore's Secrets Manager model)"
# An operation is answered when a request of it, with its required members
# (from botocore's model, and every member of the items of a list; a secret
# that does not exist, a real Region), gets an
# answer in the protocol (JSON, HTTP 200 or 400) rather than
# UnknownOperationException, HTTP 5xx or a page that is not JSON.
for server in stagelabel moto; do
	start "$server" quiet
	answered=$(timeout 120 "$python" - "$url" "$auth" <<'EOF'
import botocore.session, json, sys, urllib.error, urllib.request
ops = botocore.session.get_session().get_service_model("secretsmanager").operation_names
model = botocore.session.get_session().get_service_model("secretsmanager")
def value(shape, top=True):
    t = shape.type_name
    if t == "structure":  # the required members; every member of a list's
        return {m: "eu-west-1" if m == "Region" else value(shape.members[m], False)
                for m in (shape.required_members if top else shape.members)}
    if t == "list":
        return [value(shape.member, False)]
    if t == "map":
        return {}
    if t in ("integer", "long"):
        return 1
    if t == "boolean":
        return False
    if t == "blob":
        return "eA=="
    if t == "timestamp":
        return 0
    return shape.enum[0] if getattr(shape, "enum", None) else "cmp-missing"
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
missing = []
for op in ops:
    body = json.dumps(value(model.operation_model(op).input_shape)).encode()
    req = urllib.request.Request(sys.argv[1], data=body, method="POST", headers={
        "X-Amz-Target": "secretsmanager." + op, "Content-Type": "application/x-amz-json-1.1",
        "Authorization": sys.argv[2]})
    try:
        with opener.open(req, timeout=10) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    try:
        kind = json.loads(body).get("__type", "")
    except ValueError:
        kind = "not JSON"
    if status >= 500 or kind.endswith("UnknownOperationException") or kind == "not JSON":
        missing.append(op)
print("%d/%d%s" % (len(ops) - len(missing), len(ops), " (not: %s)" % ", ".join(missing) if missing else ""))
EOF
)
	echo "  $server $answered"
	record "$server" "Secrets Manager operations answered" "$answered"
	stop
done

echo "== medians over $rounds rounds (range)"
"$python" - "$tmp/results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    server, metric, value = line.rstrip("\n").split("\t")
    rows.setdefault(metric, {}).setdefault(server, []).append(value)
def cell(vs):
    try:
        xs = [float(v) for v in vs]
    except ValueError:
        return vs[-1]
    m = statistics.median(xs)
    if all(x == int(x) for x in xs) and m == int(m):
        fmt = lambda x: "%d" % x
    else:
        fmt = (lambda x: "%.0f" % x) if m >= 100 else (lambda x: "%.2f" % x if x < 10 else "%.1f" % x)
    return fmt(m) if len(xs) == 1 or min(xs) == max(xs) else "%s (%s–%s)" % (fmt(m), fmt(min(xs)), fmt(max(xs)))
print("| measure | stagelabel | moto |")
print("|---|---|---|")
for metric, by in rows.items():
    print("| %s | %s | %s |" % (metric, cell(by.get("stagelabel", ["-"])), cell(by.get("moto", ["-"]))))
EOF
