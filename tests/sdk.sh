#!/usr/bin/env bash
# tests/sdk.sh: runs README.md's SDK snippets against stagelabel-emulator, so
# that they cannot rot.
#
# Each snippet is the fenced block that follows a line
# `<!-- snippet: NAME -->` in README.md (go, python, javascript), taken as
# it stands; the only change made is the port: the emulator listens on a
# free port, which replaces 4566 in the snippet's http://127.0.0.1:4566.
# Before each snippet the emulator is emptied (POST /_stagelabel/reset), as
# each creates the same secret. A snippet passes when it exits 0 and prints
# exactly the line expected of it (the value and VersionStages, in its
# language's own print format).
#
#   go:         in a module of its own with conformance/go.mod's AWS SDK
#               versions (from the module proxy or the module cache);
#   python:     with boto3; Debian's python3-boto3 is installed (apt-get; root
#               or sudo) when `import boto3` fails;
#   javascript: with Node.js >= 20 (what @aws-sdk/client-secrets-manager v3
#               requires) and npm, which installs the SDK into a temporary
#               directory (npm's registry must be reachable): version
#               $SDK_JS_VERSION, 3.1164.0 by default, pinned so that a new
#               release (those after January 2027 need Node.js 22) cannot
#               change the test. Debian's nodejs
#               and npm are installed when node or npm is missing; if there
#               is still no Node.js >= 20 with npm (Debian 12's is 18), the
#               snippet is skipped, saying so loudly, unless SDK_REQUIRE_JS=1,
#               which makes that a failure.
#
# It prints one line per snippet and ends with "N passed, M failed" (and ",
# K skipped"); it exits non-zero if a snippet failed. The emulator and the
# snippets' clients use 127.0.0.1 only.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
readme=$repo/README.md

tmp=$(mktemp -d)
emu_pid=
cleanup() {
	if [[ -n $emu_pid ]]; then
		kill "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	rm -rf -- "$tmp"
}
trap cleanup EXIT

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
skip() {
	skipped=$((skipped + 1))
	echo "SKIP: $1"
	echo "######## tests/sdk.sh: the $2 snippet of README.md was NOT checked ########" >&2
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
	shift
	local l
	for l in "$@"; do printf '      %s\n' "$l"; done
}

# snippet NAME: prints the fenced block after `<!-- snippet: NAME -->`;
# fails unless there is exactly one such marker, followed by a fence.
snippet() {
	python3 - "$readme" "$1" <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
marker = "<!-- snippet: %s -->" % sys.argv[2]
at = [i for i, l in enumerate(lines) if l.strip() == marker]
if len(at) != 1:
    sys.exit("README.md has %d lines %r, want 1" % (len(at), marker))
i = at[0] + 1
while i < len(lines) and not lines[i].strip():
    i += 1
if i == len(lines) or not lines[i].startswith("```"):
    sys.exit("no fenced block after %r" % marker)
body = []
for l in lines[i + 1:]:
    if l.startswith("```"):
        print("\n".join(body))
        sys.exit(0)
    body.append(l)
sys.exit("the block after %r is not closed" % marker)
EOF
}

sudo=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
apt_updated=
# apt_install PACKAGE...: installs Debian packages; fails without root or sudo.
apt_install() {
	if [[ $(id -u) -ne 0 && ${#sudo[@]} -eq 0 ]] || ! command -v apt-get >/dev/null; then
		echo "sdk.sh: cannot install $* (no apt-get, or not root and no sudo)" >&2
		return 1
	fi
	echo "# installing Debian's $*" >&2
	if [[ -z $apt_updated ]]; then
		"${sudo[@]}" apt-get update -q >&2 && apt_updated=1
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

# --- the emulator -----------------------------------------------------------

(cd -- "$repo" && go build -o "$tmp/emu" ./cmd/stagelabel-emulator)
"$tmp/emu" -addr 127.0.0.1:0 2>"$tmp/emu.log" &
emu_pid=$!
addr=
for _ in $(seq 100); do
	addr=$(sed -n 's/.*msg=listening addr=\(127\.0\.0\.1:[0-9]*\).*/\1/p;T;q' "$tmp/emu.log")
	[[ -n $addr ]] && break
	kill -0 "$emu_pid" 2>/dev/null || break
	sleep 0.1
done
if [[ -z $addr ]]; then
	echo "sdk.sh: the emulator did not start:" >&2
	cat "$tmp/emu.log" >&2
	exit 1
fi
echo "# emulator at http://$addr"

# Hermetic clients: no profile, no proxy for the emulator, no endpoint
# from the environment (each snippet names its own).
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SECRETS_MANAGER \
	AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
	NO_PROXY=127.0.0.1${NO_PROXY:+,$NO_PROXY} no_proxy=127.0.0.1${no_proxy:+,$no_proxy}

# prepare NAME FILE: writes snippet NAME to FILE with the emulator's port;
# fails (and says why) when the snippet is missing or names no 127.0.0.1:4566.
prepare() {
	local code
	if ! code=$(snippet "$1" 2>"$tmp/why"); then
		fail "$1 snippet" "$(<"$tmp/why")"
		return 1
	fi
	if [[ $code != *"http://127.0.0.1:4566"* ]]; then
		fail "$1 snippet" "it names no endpoint http://127.0.0.1:4566"
		return 1
	fi
	printf '%s\n' "${code//127.0.0.1:4566/$addr}" >"$2"
}

# run_snippet NAME WANT COMMAND...: empties the emulator, runs COMMAND (at
# most 120 s) and wants it to exit 0 and print exactly WANT.
run_snippet() {
	local name=$1 want=$2 rc=0 got
	shift 2
	curl -sf -m 5 -o /dev/null -X POST "http://$addr/_stagelabel/reset" || {
		fail "$name snippet" "POST /_stagelabel/reset failed"
		return
	}
	timeout 120 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	got=$(<"$tmp/out")
	if [[ $rc -eq 0 && $got == "$want" ]]; then
		pass "$name snippet prints: $want"
	else
		fail "$name snippet" "exit $rc, stdout: $got" "want: $want" "stderr: $(<"$tmp/err")"
	fi
}

# --- Go ---------------------------------------------------------------------

mkdir "$tmp/go"
if prepare go "$tmp/go/main.go"; then
	# A module of its own, with the AWS SDK versions the conformance tests
	# use (and their go.sum), without the workspace and stagelabel.
	cp "$repo/conformance/go.mod" "$repo/conformance/go.sum" "$tmp/go/"
	if (
		cd "$tmp/go"
		export GOWORK=off GOFLAGS=-mod=mod
		go mod edit -module snippet -dropreplace github.com/stagelabel/stagelabel \
			-droprequire github.com/stagelabel/stagelabel -droprequire github.com/google/go-cmp
		go build -o snippet .
	) >"$tmp/go/build.log" 2>&1; then
		run_snippet go "second [AWSCURRENT]" "$tmp/go/snippet"
	else
		fail "go snippet" "does not build: $(<"$tmp/go/build.log")"
	fi
fi

# --- Python -----------------------------------------------------------------

if ! python3 -c 'import boto3' 2>/dev/null; then
	apt_install python3-boto3 || true
fi
if ! boto=$(python3 -c 'import boto3; print(boto3.__version__)' 2>&1); then
	fail "python snippet" "no boto3, and Debian's python3-boto3 could not be installed: $boto"
elif prepare python "$tmp/app.py"; then
	echo "# boto3 $boto"
	run_snippet python "second ['AWSCURRENT']" python3 "$tmp/app.py"
fi

# --- JavaScript -------------------------------------------------------------

js_sdk=${SDK_JS_VERSION:-3.1164.0}
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	apt_install nodejs npm || true
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null || (($(node_major) < 20)); then
	why="no Node.js >= 20 with npm (node: $(node --version 2>/dev/null || echo none), npm: $(npm --version 2>/dev/null || echo none))"
	if [[ ${SDK_REQUIRE_JS:-} == 1 ]]; then
		fail "javascript snippet" "$why"
	else
		skip "javascript snippet: $why; set SDK_REQUIRE_JS=1 to make this a failure" javascript
	fi
elif prepare javascript "$tmp/app.mjs"; then
	echo "# node $(node --version), npm $(npm --version)"
	start=$(date +%s)
	if (cd "$tmp" && timeout 300 npm install --no-audit --no-fund --no-save --loglevel=error \
		"@aws-sdk/client-secrets-manager@$js_sdk" >"$tmp/npm.log" 2>&1); then
		echo "# npm install @aws-sdk/client-secrets-manager@$js_sdk: $(($(date +%s) - start)) s"
		run_snippet javascript "second [ 'AWSCURRENT' ]" node "$tmp/app.mjs"
	else
		fail "javascript snippet" "npm install @aws-sdk/client-secrets-manager@$js_sdk failed:" "$(tail -n 20 "$tmp/npm.log")"
	fi
fi

if [[ $failed -ne 0 ]]; then
	echo "# emulator log:"
	sed 's/^/#   /' "$tmp/emu.log"
fi
if [[ $skipped -ne 0 ]]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 ]]
