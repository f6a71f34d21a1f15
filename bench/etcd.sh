#!/usr/bin/env bash
# bench/etcd.sh: writes and reads per second of the emulator over loopback
# with its secrets in one three-member etcd cluster (Debian's etcd-server,
# installed if missing), from 1, 2 and 3 emulator processes at once,
# against one emulator with -state FILE (bbolt) and one in memory.
#
# The load is bench/etcdload.go: CLIENTS clients (8) send, for DURATION
# (5s) each, PutSecretValue (a new version each time), then
# GetSecretValue, each client on a secret of its own through emulator
# i % N, so that emulators never change the same secret. Each line gives
# the operations per second of all clients, the median and 99th
# percentile latency, the errors, and the processor time per operation
# of the emulators and of the etcd members (user and system time, from
# /proc/PID/stat, over the run; the load's own is not counted). Every
# configuration is run ROUNDS (2) times, interleaved. The load, the
# emulators and etcd share this machine's processors: figures of a
# machine, not of a deployment. A secret's versions are not pruned within
# 24 hours of their creation (docs/semantics.md §PR1): each client's
# secret grows by one version per write.
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/tests/etcdcluster.bash"
clients=${CLIENTS:-8}
duration=${DURATION:-5s}
rounds=${ROUNDS:-2}

etcd_install
work=$(mktemp -d)
trap etcd_cleanup EXIT
trap 'exit 130' INT # so that the EXIT trap runs
trap 'exit 143' TERM
go -C "$repo" build -o "$work/emu" ./cmd/stagelabel-emulator
go -C "$repo" build -o "$work/load" bench/etcdload.go
tck=$(getconf CLK_TCK)

etcd_cluster bench 3
declare -A url
url[mem]=http://$(emulator mem)/
url[bolt]=http://$(emulator bolt -state "$work/bolt.db")/
for i in 1 2 3; do
	url[etcd$i]=http://$(emulator "etcd$i" -etcd "$etcd_endpoints")/
done
etcd_pids() { cat "$work"/bench/m*.pid; }

# ticks PID... prints the user and system time of the processes, in clock ticks.
ticks() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# measure ROUND CONFIG OP EMULATORS... runs the load of OP against the
# emulators named and prints a line of the table.
measure() {
	local round=$1 config=$2 op=$3
	shift 3
	local urls="" e
	local -a emus=()
	for e in "$@"; do
		urls+="${urls:+,}${url[$e]}"
		emus+=("$(cat "$work/$e.pid")")
	done
	local -a etcds=()
	[[ $config == etcd* ]] && mapfile -t etcds < <(etcd_pids)
	local e0 d0 out
	e0=$(ticks "${emus[@]}")
	d0=$(ticks "${etcds[@]}")
	out=$("$work/load" -urls "$urls" -op "$op" -clients "$clients" -duration "$duration" -prefix "r$round-$config-$op")
	local e1 d1
	e1=$(ticks "${emus[@]}")
	d1=$(ticks "${etcds[@]}")
	awk -v r="$round" -v c="$config" -v out="$out" -v de=$((e1 - e0)) -v dd=$((d1 - d0)) -v tck="$tck" '
	BEGIN {
		n = split(out, kv, " ")
		for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
		ops = v["ops"] + 0
		printf "%-5s %-6s %-4s %8s %9s %9s %6s %12.0f %12.0f\n", r, c, v["op"], v["ops/s"], v["p50_ms"], v["p99_ms"], v["errors"],
			ops ? de / tck / ops * 1e6 : 0, ops ? dd / tck / ops * 1e6 : 0
	}'
}

echo "# $(nproc) processors; $(etcd --version | sed -n 1p); $clients clients, $duration per line; processor time per operation in microseconds"
printf '%-5s %-6s %-4s %8s %9s %9s %6s %12s %12s\n' round config op ops/s p50_ms p99_ms errors emu_us/op etcd_us/op
for round in $(seq "$rounds"); do
	for op in put get; do
		measure "$round" mem "$op" mem
		measure "$round" bolt "$op" bolt
		measure "$round" etcd1 "$op" etcd1
		measure "$round" etcd2 "$op" etcd1 etcd2
		measure "$round" etcd3 "$op" etcd1 etcd2 etcd3
	done
done
