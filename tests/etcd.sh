#!/usr/bin/env bash
# tests/etcd.sh: two emulator processes on one etcd cluster behave as one
# linearizable store (issue 12).
#
# It starts a three-member etcd cluster on loopback (free ports, data in a
# temporary directory), two emulators with -etcd naming all three members,
# and runs linearize/processes' TestEmulators against both: several
# clients send random CreateSecret, PutSecretValue, GetSecretValue,
# UpdateSecretVersionStage, DescribeSecret, DeleteSecret and RestoreSecret
# to either emulator while a follower of the cluster is restarted (SIGTERM,
# down ETCD_DOWN seconds, 1 by default), and porcupine checks the history
# against a model of the label rules; then every acknowledged write must
# be served by both emulators. It fails if the test fails or skips.
# EMULATORS=1 starts one emulator and gives the test its address twice:
# the check of the test itself, which one process must pass. RESTART=0
# restarts no member. ARTIFACTS=DIR keeps there the visualizations of
# histories found not linearizable (go test -artifacts).
#
# It needs bash, go, python3 and curl. When no etcd is on the PATH it
# installs Debian's etcd-server package (apt-get; root, or sudo). Every
# process it starts is killed when it exits. All traffic goes to 127.0.0.1.
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/tests/etcdcluster.bash"

etcd_install
etcd --version | sed -n 1p # all of it read: no SIGPIPE under pipefail
work=$(mktemp -d)
trap etcd_cleanup EXIT
trap 'exit 130' INT # so that the EXIT trap runs
trap 'exit 143' TERM
go -C "$repo" build -o "$work/emu" ./cmd/stagelabel-emulator

etcd_cluster ci 3
etcd_restart_script ci
a=$(emulator a -etcd "$etcd_endpoints")
if [[ ${EMULATORS:-2} == 1 ]]; then
	b=$a
else
	b=$(emulator b -etcd "$etcd_endpoints")
fi
echo "etcd $etcd_endpoints; emulators $a $b"

log=$work/test.log
if [[ -n ${ARTIFACTS:-} ]]; then mkdir -p "$ARTIFACTS"; fi
status=0
restart="bash $work/ci/restart"
if [[ ${RESTART:-1} == 0 ]]; then restart=""; fi
STAGELABEL_EMULATORS="http://$a/,http://$b/" STAGELABEL_ETCD_RESTART=$restart \
	go -C "$repo/linearize" test -count=1 -timeout 5m -v -run '^TestEmulators$' ${ARTIFACTS:+-artifacts -outputdir "$ARTIFACTS"} ./processes >"$log" 2>&1 || status=$?
grep -v '^=== RUN' "$log"
if grep -q -- '--- SKIP' "$log"; then
	echo "etcd.sh: TestEmulators skipped" >&2
	exit 1
fi
for e in a b; do
	[[ -f $work/$e.log ]] || continue
	if grep -q -E 'level=(WARN|ERROR)|status=5' "$work/$e.log"; then
		echo "-- emulator $e: warnings, errors and answers 5xx of its log (10 at most)"
		grep -m 10 -E 'level=(WARN|ERROR)|status=5' "$work/$e.log" | cut -c1-400
	fi
done
exit "$status"
