#!/usr/bin/env bash
# tests/cli.sh: runs the AWS CLI v2 against stagelabel-emulator.
#
# It runs the three examples from the AWS CLI page of
# update-secret-version-stage, checks the labels they leave with
# list-secret-version-ids, checks how deprecated versions are listed, and
# checks two service errors (stderr text and exit status), update-secret,
# tags, list-secrets with filters and a sort order,
# validate-resource-policy and batch-get-secret-value; then the same name
# created in us-east-1 and eu-west-1 by two accounts (two access key ids),
# each read back in its own namespace, by another account's ARN of its
# region, and not found by another region's ARN. The emulator runs
# with -credentials, so every command is signed by the CLI and checked;
# a wrong secret key and an unknown key are refused with AWS's errors, and
# a request for another Host (DNS rebinding) with 421. A rotation runs
# through -lambda-endpoint: a Lambda Invoke API served by a small python
# server here, whose rotation function does its steps with the CLI; then a
# scheduled one, reached by moving the emulator's clock (a request signed
# by curl). It prints one line
# per check and ends with "N passed, M failed" (and ", K skipped" when a
# check was skipped: only batch-get-secret-value, when the CLI has no such
# command); it exits non-zero if any check failed.
#
# It needs bash, go, python3 and curl. If no AWS CLI v2 is found it installs
# Debian's awscli package (apt-get; root, or sudo). Set AWS_CLI to the path
# of a CLI v2 to use that one instead. All traffic goes to 127.0.0.1.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

# --- the AWS CLI ------------------------------------------------------------

# cli_major prints the major version of the CLI at $1 (empty if it does not run).
cli_major() {
	local v
	v=$("$1" --version 2>&1) || return 0
	[[ $v =~ ^aws-cli/([0-9]+)\. ]] && echo "${BASH_REMATCH[1]}"
	return 0
}

find_cli_v2() {
	local c
	for c in "${AWS_CLI:-}" "$(command -v aws 2>/dev/null || true)" /usr/bin/aws; do
		if [[ -n $c && -x $c && $(cli_major "$c") == 2 ]]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

install_awscli() {
	local sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo)
		else
			echo "cli.sh: no AWS CLI v2 found, and not root and no sudo to install awscli" >&2
			exit 2
		fi
	fi
	echo "# installing Debian's awscli" >&2
	"${sudo[@]}" apt-get update -q >&2
	# Not "apt-cache policy | grep -q": under pipefail, grep's early exit
	# can fail the pipeline with apt-cache's SIGPIPE.
	if [[ $(apt-cache policy awscli) != *"Candidate: "[0-9]* ]]; then
		echo "cli.sh: apt has no awscli package" >&2
		exit 2
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends awscli >&2
}

if ! AWS=$(find_cli_v2); then
	if command -v aws >/dev/null 2>&1; then
		echo "# $(command -v aws) is $(aws --version 2>&1 | head -n1), not v2" >&2
	fi
	install_awscli
	AWS=$(find_cli_v2) || {
		echo "cli.sh: no working AWS CLI v2 after installing awscli" >&2
		exit 2
	}
fi
echo "# using $AWS: $("$AWS" --version 2>&1 | head -n1)"

# --- the emulator -----------------------------------------------------------

tmp=$(mktemp -d)
emu_pid= lambda_pid=
cleanup() {
	local pid
	for pid in "$emu_pid" "$lambda_pid"; do
		if [[ -n $pid ]]; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf -- "$tmp"
}
trap cleanup EXIT

(cd -- "$repo" && go build -o "$tmp/emu" ./cmd/stagelabel-emulator)

# The key the CLI signs with (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
# below).
cat >"$tmp/credentials" <<'EOF'
[cli]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = x

# Two accounts, each the 12 digits of its key id.
[account1]
aws_access_key_id = 111111111111
aws_secret_access_key = x
[account2]
aws_access_key_id = 222222222222
aws_secret_access_key = x
EOF

# The Lambda Invoke API, for one rotation function, "rotate", which does
# what AWS's rotation template does, calling the emulator (whose address
# it reads from $tmp/endpoint) with the CLI. Each step it is invoked with
# is appended to $tmp/steps.
cat >"$tmp/lambda.py" <<'EOF'
import http.server, json, os, subprocess, sys
tmp, aws = sys.argv[1], sys.argv[2]
env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x",
           AWS_DEFAULT_REGION="us-east-1", AWS_DEFAULT_OUTPUT="json", AWS_PAGER="",
           AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
           AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
def sm(*args):
    endpoint = open(os.path.join(tmp, "endpoint")).read().strip()
    r = subprocess.run([aws, "--endpoint-url", endpoint, "secretsmanager", *args],
                       capture_output=True, text=True, env=env)
    return r.returncode, r.stdout, r.stderr
def step(e):
    arn, token, s = e["SecretId"], e["ClientRequestToken"], e["Step"]
    rc, out, err = sm("describe-secret", "--secret-id", arn)
    if rc:
        return err
    d = json.loads(out)
    stages = d.get("VersionIdsToStages", {}).get(token, [])
    if "AWSCURRENT" in stages:
        return None
    if "AWSPENDING" not in stages or not d.get("RotationEnabled"):
        return "version %s is not AWSPENDING, or rotation is off" % token
    pending = ["--secret-id", arn, "--version-id", token, "--version-stage", "AWSPENDING"]
    if s == "createSecret":
        rc, out, err = sm("get-secret-value", *pending)
        if rc:
            rc, out, err = sm("put-secret-value", "--secret-id", arn, "--client-request-token", token,
                              "--secret-string", '{"password":"rotated"}', "--version-stages", "AWSPENDING")
    elif s == "testSecret":
        rc, out, err = sm("get-secret-value", *pending)
    elif s == "finishSecret":
        current = [v for v, st in d["VersionIdsToStages"].items() if "AWSCURRENT" in st][0]
        rc, out, err = sm("update-secret-version-stage", "--secret-id", arn, "--version-stage", "AWSCURRENT",
                          "--move-to-version-id", token, "--remove-from-version-id", current)
    return err if rc else None
class Lambda(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body, headers=()):
        self.send_response(status)
        for h in headers:
            self.send_header(*h)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        parts = self.path.split("?")[0].split("/")
        if len(parts) != 5 or parts[1:3] != ["2015-03-31", "functions"] or parts[4] != "invocations":
            return self.answer(404, b"{}")
        if parts[3] != "rotate":
            return self.answer(404, b'{"Type":"User","Message":"Function not found"}',
                               [("X-Amzn-ErrorType", "ResourceNotFoundException")])
        if self.headers.get("X-Amz-Invocation-Type") == "DryRun":
            return self.answer(204, b"")
        e = json.loads(body)
        with open(os.path.join(tmp, "steps"), "a") as f:
            f.write(e["Step"] + "\n")
        err = step(e)
        if err:
            return self.answer(200, json.dumps({"errorType": "Exception", "errorMessage": err}).encode(),
                               [("X-Amz-Function-Error", "Unhandled")])
        self.answer(200, b"null")
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Lambda)
with open(os.path.join(tmp, "lambda.port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(tmp, "lambda.port.tmp"), os.path.join(tmp, "lambda.port"))
srv.serve_forever()
EOF
python3 "$tmp/lambda.py" "$tmp" "$AWS" 2>"$tmp/lambda.log" &
lambda_pid=$!
for _ in $(seq 100); do
	[[ -s $tmp/lambda.port ]] && break
	sleep 0.1
done
if [[ ! -s $tmp/lambda.port ]]; then
	echo "cli.sh: the Lambda API did not start:" >&2
	cat "$tmp/lambda.log" >&2
	exit 1
fi

"$tmp/emu" -addr 127.0.0.1:0 -credentials "$tmp/credentials" \
	-lambda-endpoint "http://127.0.0.1:$(<"$tmp/lambda.port")" 2>"$tmp/emu.log" &
emu_pid=$!

addr=
for _ in $(seq 100); do
	addr=$(sed -n 's/.*msg=listening addr=\(127\.0\.0\.1:[0-9]*\).*/\1/p;T;q' "$tmp/emu.log")
	[[ -n $addr ]] && break
	kill -0 "$emu_pid" 2>/dev/null || break
	sleep 0.1
done
if [[ -z $addr ]]; then
	echo "cli.sh: the emulator did not start:" >&2
	cat "$tmp/emu.log" >&2
	exit 1
fi
endpoint="http://$addr"
echo "$endpoint" >"$tmp/endpoint"

# Wait until it answers a request (unsigned: refused, with 400).
python3 - "$addr" <<'EOF'
import sys, time, urllib.error, urllib.request
req = urllib.request.Request("http://" + sys.argv[1] + "/", data=b"{}", method="POST",
    headers={"X-Amz-Target": "secretsmanager.ListSecrets",
             "Content-Type": "application/x-amz-json-1.1"})
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
for _ in range(100):
    try:
        with opener.open(req, timeout=2) as r:
            sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit("cli.sh: the emulator at %s does not answer" % sys.argv[1])
EOF
echo "# emulator at $endpoint"

# --- a hermetic CLI ---------------------------------------------------------

unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
	AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CA_BUNDLE AWS_ENDPOINT_URL \
	AWS_REGION AWS_CLI_AUTO_PROMPT AWS_MAX_ATTEMPTS AWS_RETRY_MODE \
	HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x \
	AWS_DEFAULT_REGION=us-east-1 AWS_DEFAULT_OUTPUT=json AWS_PAGER="" \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_EC2_METADATA_DISABLED=true \
	NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

# sm runs one secretsmanager command; it leaves stdout in $out, stderr in
# $err and the exit status in $rc, and never fails itself.
out= err= rc=0
sm() {
	rc=0
	"$AWS" --endpoint-url "$endpoint" --cli-connect-timeout 5 --cli-read-timeout 10 \
		secretsmanager "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	out=$(<"$tmp/out")
	err=$(<"$tmp/err")
}

# --- checks -----------------------------------------------------------------

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
	shift
	local l
	for l in "$@"; do printf '      %s\n' "$l"; done
}

# ok NAME: the last command succeeded.
ok() {
	if [[ $rc -eq 0 ]]; then pass "$1: exit 0"; else fail "$1: exit $rc, want 0" "stderr: $err"; fi
}

# json_check NAME PROGRAM [ARGS]: runs the python PROGRAM with the last
# stdout parsed as `j` and ARGS in sys.argv[1:]; it prints nothing when
# fine, else what is wrong.
json_check() {
	local name=$1 prog=$2 why
	shift 2
	why=$(python3 -c '
import json, re, sys
try:
    j = json.loads(open(sys.argv.pop(1)).read())
except Exception as e:
    print("not JSON: %s" % e); sys.exit(0)
'"$prog" "$tmp/out" "$@" 2>&1) || true
	if [[ -z $why ]]; then pass "$name"; else fail "$name" "$why" "stdout: $out"; fi
}

arn_re='^arn:aws:secretsmanager:us-east-1:123456789012:secret:MyTestDatabaseSecret-[A-Za-z0-9]{6}$'
arn= # the secret's ARN, from create-secret

# arn_name NAME: the last stdout is exactly {"ARN", "Name"}, the ARN shaped
# as AWS's and the same as the secret's.
arn_name() {
	json_check "$1: answer is exactly {ARN, Name}, ARN $arn_re" '
if not isinstance(j, dict) or sorted(j) != ["ARN", "Name"]:
    print("members %s, want [ARN, Name]" % (sorted(j) if isinstance(j, dict) else type(j).__name__))
elif j["Name"] != "MyTestDatabaseSecret":
    print("Name %r" % j["Name"])
elif not re.match(sys.argv[1], j["ARN"]):
    print("ARN %r does not match %s" % (j["ARN"], sys.argv[1]))
elif sys.argv[2] and j["ARN"] != sys.argv[2]:
    print("ARN %r, want the secret ARN %r" % (j["ARN"], sys.argv[2]))
' "$arn_re" "$arn"
}

E1=EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE
E2=EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE
E3=EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE
E4=EXAMPLE4-90ab-cdef-fedc-ba987EXAMPLE

# versions NAME WANT [ARGS]: list-secret-version-ids [ARGS] shows WANT, the
# versions sorted by id, as "ID:LABEL,LABEL" ("ID:-" for a version without
# a VersionStages member), "E1".."E4" standing for the example ids.
versions() {
	local name=$1 want=$2 got
	shift 2
	sm list-secret-version-ids --secret-id MyTestDatabaseSecret "$@"
	if [[ $rc -ne 0 ]]; then
		fail "$name: list-secret-version-ids${*:+ $*}: exit $rc" "stderr: $err"
		return
	fi
	got=$(python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
short = {sys.argv[1]: "E1", sys.argv[2]: "E2", sys.argv[3]: "E3", sys.argv[4]: "E4"}
out = []
for v in sorted(j["Versions"], key=lambda v: v["VersionId"]):
    st = v.get("VersionStages")
    out.append("%s:%s" % (short.get(v["VersionId"], v["VersionId"]),
                          "-" if st is None else ",".join(sorted(st)) or "[]"))
print(" ".join(out))
' "$E1" "$E2" "$E3" "$E4" <<<"$out" 2>&1) || true
	if [[ $got == "$want" ]]; then
		pass "$name: list-secret-version-ids${*:+ $*}: $want"
	else
		fail "$name: list-secret-version-ids${*:+ $*}" "got:  $got" "want: $want"
	fi
}

# stderr_is NAME WANT_RC WANT_STDERR: the last command failed with WANT_RC,
# printed nothing on stdout and WANT_STDERR on stderr (blank lines around
# it ignored).
stderr_is() {
	local got
	got=$(sed -e '/./,$!d' <<<"$err" | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}')
	if [[ $rc -eq $2 ]]; then pass "$1: exit $2"; else fail "$1: exit $rc, want $2"; fi
	if [[ $got == "$3" ]]; then pass "$1: stderr"; else fail "$1: stderr" "got:  $got" "want: $3"; fi
	if [[ -z $out ]]; then pass "$1: no stdout"; else fail "$1: stdout not empty" "stdout: $out"; fi
}

# Setup: two versions, EXAMPLE1 then EXAMPLE2.
sm create-secret --name MyTestDatabaseSecret --secret-string '{"password":"one"}' \
	--client-request-token "$E1"
ok "create-secret"
arn=$(python3 -c 'import json,sys; print(json.load(sys.stdin).get("ARN",""))' <<<"$out" 2>/dev/null || true)
json_check "create-secret: ARN $arn_re, VersionId EXAMPLE1" '
if not re.match(sys.argv[1], j.get("ARN", "")) or j.get("VersionId") != sys.argv[2]:
    print("got ARN %r VersionId %r" % (j.get("ARN"), j.get("VersionId")))
' "$arn_re" "$E1"

sm put-secret-value --secret-id MyTestDatabaseSecret --secret-string '{"password":"two"}' \
	--client-request-token "$E2"
ok "put-secret-value EXAMPLE2"
versions "setup" "E1:AWSPREVIOUS E2:AWSCURRENT" --include-deprecated

# Example 1: add a staging label.
sm update-secret-version-stage --secret-id MyTestDatabaseSecret \
	--version-stage STAGINGLABEL1 \
	--move-to-version-id EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE
ok "example 1 (add STAGINGLABEL1)"
arn_name "example 1"
versions "example 1" "E1:AWSPREVIOUS,STAGINGLABEL1 E2:AWSCURRENT" --include-deprecated

# Example 2: delete a staging label.
sm update-secret-version-stage --secret-id MyTestDatabaseSecret \
	--version-stage STAGINGLABEL1 \
	--remove-from-version-id EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE
ok "example 2 (remove STAGINGLABEL1)"
arn_name "example 2"
versions "example 2" "E1:AWSPREVIOUS E2:AWSCURRENT" --include-deprecated

# Example 3: move AWSCURRENT (onto the AWSPREVIOUS holder: they swap).
sm update-secret-version-stage --secret-id MyTestDatabaseSecret \
	--version-stage AWSCURRENT \
	--move-to-version-id EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE \
	--remove-from-version-id EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE
ok "example 3 (move AWSCURRENT)"
arn_name "example 3"
versions "example 3" "E1:AWSCURRENT E2:AWSPREVIOUS" --include-deprecated

sm get-secret-value --secret-id MyTestDatabaseSecret --query SecretString --output text
if [[ $rc -eq 0 && $out == '{"password":"one"}' ]]; then
	pass "example 3: get-secret-value returns EXAMPLE1's value"
else
	fail "example 3: get-secret-value" "exit $rc, stdout: $out" "stderr: $err"
fi

# A deprecated version: a third put moves AWSCURRENT to EXAMPLE3 and
# AWSPREVIOUS to EXAMPLE1, leaving EXAMPLE2 without labels.
sm put-secret-value --secret-id MyTestDatabaseSecret --secret-string '{"password":"three"}' \
	--client-request-token "$E3"
ok "put-secret-value EXAMPLE3"
versions "deprecated" "E1:AWSPREVIOUS E2:- E3:AWSCURRENT" --include-deprecated
versions "deprecated" "E1:AWSPREVIOUS E3:AWSCURRENT"

# A custom label moved off a version leaves it deprecated too.
sm update-secret-version-stage --secret-id MyTestDatabaseSecret \
	--version-stage STAGINGLABEL1 --move-to-version-id "$E2"
ok "add STAGINGLABEL1 to the deprecated EXAMPLE2"
arn_name "add STAGINGLABEL1 to EXAMPLE2"
versions "undeprecated" "E1:AWSPREVIOUS E2:STAGINGLABEL1 E3:AWSCURRENT"
sm update-secret-version-stage --secret-id MyTestDatabaseSecret \
	--version-stage STAGINGLABEL1 --remove-from-version-id "$E2"
ok "remove STAGINGLABEL1 from EXAMPLE2"
versions "deprecated again" "E1:AWSPREVIOUS E2:- E3:AWSCURRENT" --include-deprecated
versions "deprecated again" "E1:AWSPREVIOUS E3:AWSCURRENT"

sm describe-secret --secret-id MyTestDatabaseSecret
json_check "describe-secret: VersionIdsToStages lists labelled versions only" '
want = {sys.argv[1]: ["AWSPREVIOUS"], sys.argv[2]: ["AWSCURRENT"]}
got = {k: sorted(v) for k, v in j.get("VersionIdsToStages", {}).items()}
if got != want:
    print("VersionIdsToStages %r, want %r" % (got, want))
' "$E1" "$E3"

# Error: AWSCURRENT cannot be removed without moving it.
sm update-secret-version-stage --secret-id MyTestDatabaseSecret \
	--version-stage AWSCURRENT --remove-from-version-id "$E3"
stderr_is "remove AWSCURRENT" 254 \
	"An error occurred (InvalidParameterException) when calling the UpdateSecretVersionStage operation: You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."
versions "remove AWSCURRENT changed nothing" "E1:AWSPREVIOUS E2:- E3:AWSCURRENT" --include-deprecated

# Error: an unknown secret.
sm get-secret-value --secret-id NoSuchSecret
stderr_is "get-secret-value of an unknown secret" 254 \
	"An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret."

# update-secret: a description and a value in one call; the value is a
# new version carrying AWSCURRENT.
sm update-secret --secret-id MyTestDatabaseSecret --description "Main database" \
	--secret-string '{"password":"four"}' --client-request-token "$E4"
ok "update-secret"
versions "update-secret" "E1:- E2:- E3:AWSPREVIOUS E4:AWSCURRENT" --include-deprecated

# list-secrets with filters: name (a prefix, case-sensitive), description
# (each word of the value begins a word of it, any case), "!" to exclude.
sm create-secret --name OtherSecret --secret-string x
ok "create-secret OtherSecret"
list_names() {
	sm list-secrets "$@" --query 'SecretList[].Name' --output text
	if [[ $rc -eq 0 && $out == "$want" ]]; then
		pass "list-secrets $*: $want"
	else
		fail "list-secrets $*" "exit $rc, stdout: $out, want: $want" "stderr: $err"
	fi
}
want="MyTestDatabaseSecret" list_names --filters Key=name,Values=MyTest Key=description,Values=main
want="MyTestDatabaseSecret" list_names --filters 'Key=description,Values=DATA m'
want="" list_names --filters 'Key=description,Values=main base'
want="OtherSecret" list_names --filters 'Key=name,Values=!MyTest'
want=$'OtherSecret\tMyTestDatabaseSecret' list_names --sort-order desc

# tag-resource, untag-resource, and the tag-key filter.
sm tag-resource --secret-id OtherSecret --tags Key=env,Value=prod Key=team,Value=
ok "tag-resource"
sm untag-resource --secret-id OtherSecret --tag-keys team
ok "untag-resource"
sm describe-secret --secret-id OtherSecret
json_check "describe-secret: Tags" '
if j.get("Tags") != [{"Key": "env", "Value": "prod"}]:
    print("Tags %r" % j.get("Tags"))
'
want="OtherSecret" list_names --filters Key=tag-key,Values=en

# validate-resource-policy: the API reference's example passes; the user
# guide's broad access fails its check; neither is attached; an invalid
# SecretId is the recorded ValidationException.
sm validate-resource-policy --secret-id OtherSecret --resource-policy \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
ok "validate-resource-policy"
json_check "validate-resource-policy: passed, no ValidationErrors" '
if j != {"PolicyValidationPassed": True, "ValidationErrors": []}:
    print("got %r" % j)
'
sm validate-resource-policy --resource-policy \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}'
ok "validate-resource-policy of broad access"
json_check "validate-resource-policy of broad access: not passed, BroadAccessCheck" '
if j.get("PolicyValidationPassed") is not False or [e.get("CheckName") for e in j.get("ValidationErrors", [])] != ["BroadAccessCheck"]:
    print("got %r" % j)
'
sm get-resource-policy --secret-id OtherSecret
json_check "get-resource-policy: validating attached nothing" '
if "ResourcePolicy" in j:
    print("ResourcePolicy %r" % j["ResourcePolicy"])
'
sm validate-resource-policy --secret-id "Inv Name" --resource-policy '{}'
stderr_is "validate-resource-policy of an invalid SecretId" 254 \
	"An error occurred (ValidationException) when calling the ValidateResourcePolicy operation: Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"

# batch-get-secret-value: by id, in the order given, a secret that does
# not exist an entry of Errors; by filters. The command came to the AWS
# CLI in November 2023; an older CLI (Debian 12's is 2.9.19) has none,
# and only then are these checks skipped.
sm batch-get-secret-value --secret-id-list OtherSecret MyTestDatabaseSecret NoSuchSecret
if [[ $rc -eq 252 && $err == *"Invalid choice"* ]]; then
	skip "batch-get-secret-value: $("$AWS" --version 2>&1 | head -n1) has no batch-get-secret-value command"
else
	ok "batch-get-secret-value --secret-id-list"
	json_check "batch-get-secret-value --secret-id-list: values in order, an error for NoSuchSecret" '
got = [(v["Name"], v.get("SecretString")) for v in j.get("SecretValues", [])]
if got != [("OtherSecret", "x"), ("MyTestDatabaseSecret", "{\"password\":\"four\"}")]:
    print("SecretValues %r" % got)
if j.get("Errors") != [{"SecretId": "NoSuchSecret", "ErrorCode": "ResourceNotFoundException",
                        "Message": "Secrets Manager can\x27t find the specified secret."}]:
    print("Errors %r" % j.get("Errors"))
'
	sm batch-get-secret-value --filters Key=name,Values=Other
	ok "batch-get-secret-value --filters"
	json_check "batch-get-secret-value --filters: OtherSecret" '
if [v["Name"] for v in j.get("SecretValues", [])] != ["OtherSecret"] or j.get("Errors") != []:
    print("got %r" % j)
'
fi

# Regions and accounts: the emulator serves each request from the
# namespace of its signature's region and account, the account a 12-digit
# access key id (docs/semantics.md §N11, §N13, §A). One name created in two
# regions by two accounts is four secrets.
A1=111111111111 A2=222222222222
# sm_as REGION KEY ARGS: sm ARGS signed with the access key id KEY in REGION.
sm_as() {
	local region=$1 key=$2
	shift 2
	AWS_ACCESS_KEY_ID=$key sm --region "$region" "$@"
}
declare -A ns_arn # the ARN of Shared, by "region/account"
for ns in us-east-1/$A1 us-east-1/$A2 eu-west-1/$A1 eu-west-1/$A2; do
	sm_as "${ns%/*}" "${ns#*/}" create-secret --name Shared --secret-string "$ns"
	ns_arn[$ns]=$(python3 -c 'import json,sys; print(json.load(sys.stdin).get("ARN",""))' <<<"$out" 2>/dev/null || true)
	re="^arn:aws:secretsmanager:${ns%/*}:${ns#*/}:secret:Shared-[A-Za-z0-9]{6}\$"
	if [[ $rc -eq 0 && ${ns_arn[$ns]} =~ $re ]]; then
		pass "create-secret Shared in $ns: ARN $re"
	else
		fail "create-secret Shared in $ns" "exit $rc, ARN ${ns_arn[$ns]}" "stderr: $err"
	fi
done
sm_as us-east-1 "$A1" list-secrets --query 'SecretList[].ARN' --output text
if [[ $rc -eq 0 && $out == "${ns_arn[us-east-1/$A1]}" ]]; then
	pass "list-secrets in us-east-1/$A1: its own Shared only"
else
	fail "list-secrets in us-east-1/$A1" "exit $rc, stdout: $out, want: ${ns_arn[us-east-1/$A1]}" "stderr: $err"
fi
# get_as NAME REGION KEY SECRET-ID WANT: get-secret-value gives WANT.
get_as() {
	sm_as "$2" "$3" get-secret-value --secret-id "$4" --query SecretString --output text
	if [[ $rc -eq 0 && $out == "$5" ]]; then pass "$1: $5"; else fail "$1" "exit $rc, stdout: $out, want: $5" "stderr: $err"; fi
}
get_as "get-secret-value Shared in eu-west-1/$A2" eu-west-1 "$A2" Shared "eu-west-1/$A2"
get_as "get-secret-value in us-east-1/$A1 by the ARN of us-east-1/$A2" us-east-1 "$A1" "${ns_arn[us-east-1/$A2]}" "us-east-1/$A2"
sm_as us-east-1 "$A1" get-secret-value --secret-id "${ns_arn[eu-west-1/$A1]}"
stderr_is "get-secret-value in us-east-1/$A1 by the ARN of eu-west-1/$A1" 254 \
	"An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret."
sm_as eu-west-1 "$A2" batch-get-secret-value --secret-id-list Shared "${ns_arn[eu-west-1/$A1]}" "${ns_arn[us-east-1/$A2]}"
if [[ $rc -eq 252 && $err == *"Invalid choice"* ]]; then
	skip "batch-get-secret-value in eu-west-1/$A2: this CLI has no batch-get-secret-value command"
else
	json_check "batch-get-secret-value in eu-west-1/$A2: its own, eu-west-1/$A1's by ARN, an error for us-east-1's ARN" '
got = [v.get("SecretString") for v in j.get("SecretValues", [])]
if got != ["eu-west-1/" + sys.argv[1], "eu-west-1/" + sys.argv[2]]:
    print("SecretValues %r" % got)
if [(e.get("SecretId"), e.get("ErrorCode")) for e in j.get("Errors", [])] != [(sys.argv[3], "ResourceNotFoundException")]:
    print("Errors %r" % j.get("Errors"))
' "$A2" "$A1" "${ns_arn[us-east-1/$A2]}"
fi

# Replication (docs/semantics.md §RP): a replica in eu-west-1 follows its
# primary in us-east-1 and refuses changes of its own.
sm_as us-east-1 "$A1" create-secret --name Replicated --secret-string one --add-replica-regions Region=eu-west-1
json_check "create-secret --add-replica-regions eu-west-1: InSync" '
if [(r.get("Region"), r.get("Status")) for r in j.get("ReplicationStatus", [])] != [("eu-west-1", "InSync")]:
    print("ReplicationStatus %r" % j.get("ReplicationStatus"))
'
sm_as us-east-1 "$A1" put-secret-value --secret-id Replicated --secret-string two
ok "put-secret-value on the primary"
get_as "get-secret-value of the replica in eu-west-1/$A1" eu-west-1 "$A1" Replicated two
sm_as eu-west-1 "$A1" put-secret-value --secret-id Replicated --secret-string three
stderr_is "put-secret-value on the replica" 254 \
	"An error occurred (InvalidParameterException) when calling the PutSecretValue operation: Operation not permitted on a replica secret. Call must be made in primary secret's region."
sm_as us-east-1 "$A1" remove-regions-from-replication --secret-id Replicated --remove-replica-regions eu-west-1
json_check "remove-regions-from-replication eu-west-1: none left" '
if j.get("ReplicationStatus") != []:
    print("ReplicationStatus %r" % j.get("ReplicationStatus"))
'
sm_as eu-west-1 "$A1" describe-secret --secret-id Replicated
stderr_is "describe-secret of the removed replica" 254 \
	"An error occurred (ResourceNotFoundException) when calling the DescribeSecret operation: Secrets Manager can't find the specified secret."

# Signatures: the emulator checks them against -credentials.
AWS_SECRET_ACCESS_KEY=not-x sm list-secrets
first_line=$(sed -e '/./,$!d' <<<"$err" | head -n 1)
if [[ $rc -eq 254 && $first_line == "An error occurred (InvalidSignatureException) when calling the ListSecrets operation: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details." ]]; then
	pass "a wrong secret key: exit 254, InvalidSignatureException"
else
	fail "a wrong secret key" "exit $rc, stderr: $err"
fi
AWS_ACCESS_KEY_ID=AKIDUNKNOWN sm list-secrets
stderr_is "an unknown access key" 254 \
	"An error occurred (UnrecognizedClientException) when calling the ListSecrets operation: The security token included in the request is invalid."

# A page that rebinds its own name to 127.0.0.1 makes the browser send
# that name as the Host: refused.
got=$(python3 - "$addr" <<'EOF' 2>&1
import http.client, json, sys
c = http.client.HTTPConnection(sys.argv[1], timeout=5)
c.request("POST", "/", body=b"{}", headers={"Host": "attacker.example:4566",
    "X-Amz-Target": "secretsmanager.ListSecrets", "Content-Type": "application/x-amz-json-1.1"})
r = c.getresponse()
print(r.status, json.loads(r.read())["__type"])
EOF
) || true
if [[ $got == "421 MisdirectedRequestException" ]]; then
	pass "Host attacker.example: 421 MisdirectedRequestException"
else
	fail "Host attacker.example" "got: $got"
fi

# Rotation through -lambda-endpoint.
lambda_arn=arn:aws:lambda:us-east-1:123456789012:function:rotate
sm create-secret --name RotatedSecret --secret-string '{"password":"one"}'
ok "create-secret RotatedSecret"
sm rotate-secret --secret-id RotatedSecret --rotation-lambda-arn "$lambda_arn"
ok "rotate-secret with the function"
pending=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("VersionId", ""))' "$out" 2>/dev/null || true)
# current_is ID: the rotation to ID has ended (within 60 s).
current_is() {
	local i
	for i in $(seq 600); do
		sm describe-secret --secret-id RotatedSecret
		if [[ $rc -eq 0 ]] && python3 -c '
import json, sys
sys.exit(0 if "AWSCURRENT" in json.loads(sys.argv[1])["VersionIdsToStages"].get(sys.argv[2], []) else 1)' "$out" "$1"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
if [[ -n $pending ]] && current_is "$pending"; then
	pass "rotate-secret: the function's four steps moved AWSCURRENT to $pending"
else
	fail "rotate-secret: AWSCURRENT not on the new version $pending" "steps: $(tr '\n' ' ' <"$tmp/steps" 2>/dev/null)" "function log: $(<"$tmp/lambda.log")"
fi
steps=$(tr '\n' ' ' <"$tmp/steps" 2>/dev/null || true)
if [[ $steps == "createSecret setSecret testSecret finishSecret " ]]; then
	pass "the function was invoked with createSecret, setSecret, testSecret, finishSecret"
else
	fail "the steps invoked" "got: $steps"
fi
sm get-secret-value --secret-id RotatedSecret
json_check "get-secret-value after the rotation: the function's value" '
if j.get("SecretString") != "{\"password\":\"rotated\"}":
    print("SecretString %r" % j.get("SecretString"))
'
sm rotate-secret --secret-id RotatedSecret --rotation-lambda-arn arn:aws:lambda:us-east-1:123456789012:function:nope
stderr_is "rotate-secret with a function the endpoint lacks" 254 \
	"An error occurred (AccessDeniedException) when calling the RotateSecret operation: Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."

# A schedule, reached by moving the emulator's clock (signed by curl).
sm rotate-secret --secret-id RotatedSecret --no-rotate-immediately --rotation-rules AutomaticallyAfterDays=1
ok "rotate-secret --no-rotate-immediately --rotation-rules AutomaticallyAfterDays=1"
sm describe-secret --secret-id RotatedSecret
json_check "describe-secret: NextRotationDate once scheduled" '
if "NextRotationDate" not in j:
    print("no NextRotationDate")
'
before=$(python3 -c 'import json, sys; print([v for v, s in json.loads(sys.argv[1])["VersionIdsToStages"].items() if "AWSCURRENT" in s][0])' "$out" 2>/dev/null || true)
clock=$(curl -s -o "$tmp/clock" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:secretsmanager" --user AKIDEXAMPLE:x \
	-H 'Content-Type: application/json' -d '{"advance":"49h"}' "$endpoint/_stagelabel/clock" || true)
if [[ $clock == 200 ]]; then
	pass "POST /_stagelabel/clock {\"advance\":\"49h\"}, signed: 200 $(<"$tmp/clock")"
else
	fail "POST /_stagelabel/clock" "status $clock: $(<"$tmp/clock")"
fi
sm describe-secret --secret-id RotatedSecret
json_check "the scheduled rotation has run when the clock answers" '
cur = [v for v, s in j["VersionIdsToStages"].items() if "AWSCURRENT" in s]
if cur == [sys.argv[1]] or "LastRotatedDate" not in j:
    print("AWSCURRENT still on %s" % sys.argv[1])
' "$before"
clock=$(curl -s -o /dev/null -w '%{http_code}' -d '{"advance":"1h"}' "$endpoint/_stagelabel/clock" || true)
if [[ $clock == 403 ]]; then pass "POST /_stagelabel/clock unsigned: 403"; else fail "POST /_stagelabel/clock unsigned" "status $clock"; fi

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
