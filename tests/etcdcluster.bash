# tests/etcdcluster.bash: functions that tests/etcd.sh and bench/etcd.sh
# source to run etcd clusters and emulators on loopback. Every process they
# start is recorded in a pid file under $work (which the caller makes, with
# mktemp -d); etcd_cleanup kills them all, by pid, and removes $work.
#
#	etcd_install            installs Debian's etcd-server when etcd is missing
#	etcd_cluster NAME N     starts an N-member cluster; sets etcd_endpoints (comma-separated)
#	etcd_restart_script     writes $work/<NAME>/restart, which restarts a follower of cluster NAME
#	emulator NAME ARGS...   starts $work/emu ARGS... -addr 127.0.0.1:0; prints its address
#	etcd_cleanup            kills every process started here, removes $work

# etcd_install installs Debian's etcd-server package when no etcd is on the
# PATH (root, or sudo). Debian's package may start an etcd service of its
# own, on the default ports: it is left alone; the clusters here use free
# ports of their own.
etcd_install() {
	command -v etcd >/dev/null && return 0
	local sudo=()
	if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
	echo "# installing Debian's etcd-server" >&2
	"${sudo[@]}" apt-get update -q >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends etcd-server >&2
	command -v etcd >/dev/null || { echo "etcd-server installed no etcd" >&2; return 1; }
}

# free_ports N prints N free TCP ports of 127.0.0.1, one a line: bound
# together, so they differ, then released.
free_ports() {
	python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# wait_for TRIES COMMAND... runs COMMAND every 0.1 s until it succeeds, at
# most TRIES times.
wait_for() {
	local tries=$1
	shift
	for _ in $(seq "$tries"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# healthy URL reports whether the etcd member of client URL answers
# /health with true.
healthy() { [[ $(curl -sf --max-time 1 "$1/health") == *'"health":"true"'* ]]; }

# etcd_cluster NAME N starts an N-member cluster on loopback, its data in
# $work/NAME, and waits (at most 20 s) until every member is healthy. It
# sets etcd_endpoints to the members' client URLs, comma-separated. Member i
# is started by the script $work/NAME/m<i>.run, which records its pid in
# $work/NAME/m<i>.pid.
etcd_cluster() {
	local name=$1 n=$2 i initial=""
	local -a ports
	mapfile -t ports < <(free_ports $((2 * n)))
	mkdir -p "$work/$name"
	for ((i = 0; i < n; i++)); do
		initial+="${initial:+,}m$i=http://127.0.0.1:${ports[2 * i + 1]}"
	done
	etcd_endpoints=""
	for ((i = 0; i < n; i++)); do
		local client=http://127.0.0.1:${ports[2 * i]} peer=http://127.0.0.1:${ports[2 * i + 1]}
		etcd_endpoints+="${etcd_endpoints:+,}$client"
		echo "$client" >"$work/$name/m$i.url"
		cat >"$work/$name/m$i.run" <<EOF
#!/usr/bin/env bash
# Starts member m$i of cluster $name (again: its data directory is kept).
etcd --name m$i --data-dir '$work/$name/m$i' \\
	--listen-client-urls $client --advertise-client-urls $client \\
	--listen-peer-urls $peer --initial-advertise-peer-urls $peer \\
	--initial-cluster '$initial' --initial-cluster-state new --initial-cluster-token 'stagelabel-$name' \\
	--logger zap --log-outputs stderr </dev/null >>'$work/$name/m$i.log' 2>&1 &
echo \$! >'$work/$name/m$i.pid'
EOF
		bash "$work/$name/m$i.run"
	done
	for ((i = 0; i < n; i++)); do
		if ! wait_for 200 healthy "$(cat "$work/$name/m$i.url")"; then
			echo "etcd member m$i of $name is not healthy after 20 s; its log:" >&2
			tail -n 20 "$work/$name/m$i.log" >&2
			return 1
		fi
	done
}

# etcd_restart_script NAME writes $work/NAME/restart, a script that finds a
# follower of cluster NAME (a member whose status names another leader),
# stops it (SIGTERM, then SIGKILL after 10 s), starts it again, waits (at
# most 20 s) until it is healthy, and prints what it did.
etcd_restart_script() {
	local name=$1
	cat >"$work/$name/restart" <<EOF
#!/usr/bin/env bash
set -euo pipefail
dir='$work/$name'
$(declare -f wait_for healthy)
follower="" leader=""
for url in "\$dir"/m*.url; do
	status=\$(curl -sf --max-time 2 -X POST "\$(cat "\$url")/v3/maintenance/status" -d '{}') || continue
	id=\$(sed -n 's/.*"member_id":"\([0-9]*\)".*/\1/p' <<<"\$status")
	lead=\$(sed -n 's/.*"leader":"\([0-9]*\)".*/\1/p' <<<"\$status")
	m=\$(basename "\$url" .url)
	if [[ \$id == "\$lead" ]]; then leader=\$m; elif [[ -z \$follower ]]; then follower=\$m; fi
done
[[ -n \$follower ]] || { echo "no follower found" >&2; exit 1; }
start=\$EPOCHREALTIME
pid=\$(cat "\$dir/\$follower.pid")
kill -TERM "\$pid"
for _ in \$(seq 100); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "\$pid" 2>/dev/null || true
down=\$EPOCHREALTIME
sleep "\${ETCD_DOWN:-1}"
bash "\$dir/\$follower.run"
wait_for 200 healthy "\$(cat "\$dir/\$follower.url")" || { echo "\$follower not healthy 20 s after its restart" >&2; exit 1; }
awk -v f="\$follower" -v l="\${leader:-unknown}" -v s="\$start" -v d="\$down" -v e="\$EPOCHREALTIME" \\
	'BEGIN { printf "restarted follower %s (leader %s): stopped in %.1f s, back and healthy %.1f s later\\n", f, l, d - s, e - d }'
EOF
}

# emulator NAME ARGS... starts the emulator built at $work/emu with ARGS and
# -addr 127.0.0.1:0, its log in $work/NAME.log and its pid in
# $work/NAME.pid, waits (at most 20 s) for its "listening" line and prints
# its address.
emulator() {
	local name=$1 addr=""
	shift
	"$work/emu" -addr 127.0.0.1:0 "$@" </dev/null >/dev/null 2>"$work/$name.log" &
	echo $! >"$work/$name.pid"
	for _ in $(seq 200); do
		addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$work/$name.log")
		[[ -n $addr ]] && break
		kill -0 "$(cat "$work/$name.pid")" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -z $addr ]]; then
		echo "emulator $name did not start; its log:" >&2
		cat "$work/$name.log" >&2
		return 1
	fi
	echo "$addr"
}

# stop_pids FILE... kills the processes of the pid files (SIGTERM, then
# SIGKILL after 5 s) and removes the files.
stop_pids() {
	local f pid
	local -a pids=()
	for f in "$@"; do
		[[ -f $f ]] || continue
		pid=$(cat "$f")
		rm -f "$f"
		kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	done
}

# etcd_cleanup kills every process whose pid file is under $work and
# removes $work.
etcd_cleanup() {
	[[ -n ${work:-} && -d $work ]] || return 0
	local -a files
	mapfile -t files < <(find "$work" -name '*.pid')
	stop_pids "${files[@]}"
	rm -rf "$work"
}
