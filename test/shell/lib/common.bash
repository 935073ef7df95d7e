# common.bash -- helpers sourced by the shell tests in test/shell/*.sh.
#
# Not a test itself (run_all.sh runs test/shell/*.sh only).  Gives:
#   TAP:      ok COND DESC | is GOT WANT DESC | isnt ... | diag TEXT | tap_done
#   servers:  new_cluster NAME PORT [conf lines...]   (initdb + start, as postgres)
#             stop_cluster NAME, cluster_log NAME, free_port FROM TO
#   SQL:      q PORT DB SQL         (psql -XAtq, ON_ERROR_STOP, SQL from stdin)
#             sqlstate PORT DB SQL  (prints OK or the SQLSTATE of the error)
#   sessions: session_open NAME PORT DB [USER], session_q NAME SQL, session_close NAME
#             (a psql that stays connected: a coprocess fed through a fifo)
# Everything lives in $T (a temp dir owned by postgres), removed by the trap
# together with every server the test started.  Clients run as root and
# connect as the database user postgres (trust, over the socket in $T): the
# repository never needs to be readable by the postgres OS user.
set -uo pipefail

PGBIN=${IP_PGBIN:-/usr/lib/postgresql/15/bin}
export PATH="$PGBIN:$PATH"
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS PGSSLMODE

if [ "$(id -u)" -ne 0 ]; then
	echo "Bail out! run me as root (I start servers as the postgres OS user)"
	exit 2
fi

T=$(mktemp -d /tmp/inventree_perms_ops.XXXXXX)
chmod 755 "$T"
chown postgres: "$T"
CLUSTERS=()
SESSIONS=()
_tap_n=0
_tap_failed=0

cleanup() {
	local s c
	for s in "${SESSIONS[@]}"; do
		session_close "$s" >/dev/null 2>&1 || true
	done
	for c in "${CLUSTERS[@]}"; do
		if [ -f "$T/$c/postmaster.pid" ]; then
			su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$T/$c' -m immediate -w stop" >/dev/null 2>&1 || true
		fi
	done
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- TAP -------------------------------------------------------------------
ok() {		# ok COND(0=true as exit status, or the words true/false) DESC
	local cond=$1
	shift
	_tap_n=$((_tap_n + 1))
	if [ "$cond" = 0 ] || [ "$cond" = true ] || [ "$cond" = t ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_failed=$((_tap_failed + 1))
	fi
}
is() {		# is GOT WANT DESC
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		diag "     got: $(printf '%s' "$got" | head -c 2000)"
		diag "expected: $(printf '%s' "$want" | head -c 2000)"
	fi
}
isnt() {	# isnt GOT UNWANTED DESC
	local got=$1 bad=$2
	shift 2
	if [ "$got" != "$bad" ]; then ok 0 "$@"; else ok 1 "$@"; diag "got: $got"; fi
}
same_file() {	# same_file A B DESC: the two files are identical (diff shown if not)
	local a=$1 b=$2
	shift 2
	if cmp -s "$a" "$b"; then
		ok 0 "$@"
	else
		ok 1 "$@"
		diff "$a" "$b" | head -20 | sed 's/^/#   /'
	fi
}
diag() { printf '# %s\n' "$*"; }
bail() { echo "Bail out! $*"; exit 1; }
tap_done() {
	echo "1..$_tap_n"
	if [ "$_tap_failed" -ne 0 ]; then
		diag "$_tap_failed of $_tap_n failed"
		exit 1
	fi
	exit 0
}

# ---- servers ---------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || [ -e "$T/.s.PGSQL.$1" ]; }
free_port() {	# free_port FROM TO: first port of the range nobody listens on
	local p
	for p in $(seq "$1" "$2"); do
		if ! port_busy "$p"; then echo "$p"; return 0; fi
	done
	bail "no free port in $1-$2"
}

as_pg() { su postgres -s /bin/sh -c "cd / && $*"; }

# new_cluster NAME PORT [extra postgresql.conf lines...]
new_cluster() {
	local name=$1 port=$2 line
	shift 2
	as_pg "$PGBIN/initdb -D '$T/$name' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >"$T/$name.initdb.log" 2>&1 ||
		as_pg "$PGBIN/initdb -D '$T/$name' -A trust -U postgres -E UTF8 --locale=C" >"$T/$name.initdb.log" 2>&1 ||
		{ cat "$T/$name.initdb.log"; bail "initdb $name failed"; }
	cat >>"$T/$name/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$T'
fsync = off
full_page_writes = off
max_connections = 40
log_line_prefix = '%m [%p] %e '
log_min_messages = warning
EOF
	for line in "$@"; do echo "$line" >>"$T/$name/postgresql.conf"; done
	start_cluster "$name"
}
start_cluster() {
	local name=$1
	CLUSTERS+=("$name")
	as_pg "$PGBIN/pg_ctl -D '$T/$name' -l '$T/$name.log' -w -t 60 start" >/dev/null ||
		{ cat "$T/$name.log"; bail "cannot start $name"; }
}
stop_cluster() { as_pg "$PGBIN/pg_ctl -D '$T/$1' -m fast -w stop" >/dev/null; }
cluster_log() { cat "$T/$1.log"; }
# postmaster_alive NAME: the postmaster of the cluster runs
postmaster_alive() {
	local pid
	pid=$(head -1 "$T/$1/postmaster.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null
}
# log_crashes NAME: lines of the server log that tell of a crash
log_crashes() {
	grep -E 'terminated by signal|server process .* (was terminated|exited with exit code)|TRAP:|PANIC|all server processes terminated|database system was not properly shut down' "$T/$1.log" || true
}

# ---- SQL -------------------------------------------------------------------
# q PORT DB SQL: run SQL (from stdin when SQL is -), print unaligned tuples
# (empty lines, e.g. of void functions, dropped); exit status of psql
q() {
	local port=$1 db=$2 sql=$3
	if [ "$sql" = - ]; then
		psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$T" -p "$port" -U postgres -d "$db" | sed '/^$/d'
	else
		printf '%s\n' "$sql" | psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$T" -p "$port" -U postgres -d "$db" | sed '/^$/d'
	fi
}
# sqlstate PORT DB SQL [ROLE]: OK, or the SQLSTATE the statement failed with
sqlstate() {
	local port=$1 db=$2 sql=$3 role=${4:-postgres} out
	out=$(printf '\\set VERBOSITY sqlstate\n%s\n' "$sql" |
		psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$T" -p "$port" -U "$role" -d "$db" 2>&1 >/dev/null)
	if [ -z "$out" ]; then
		echo OK
	else
		printf '%s\n' "$out" | sed -n 's/^.*ERROR: *\([0-9A-Z]\{5\}\).*$/\1/p' | head -1 | grep . || printf '?%s\n' "$out" | head -1
	fi
}

# ---- long-lived sessions ---------------------------------------------------
# One psql per NAME, kept connected: statements go in through a fifo, answers
# come back on a file read up to a marker.  The same backend answers every
# statement (session_q NAME 'select pg_backend_pid()' stays the same).
session_open() {	# session_open NAME PORT DB [USER]
	local name=$1 port=$2 db=$3 user=${4:-postgres}
	mkfifo "$T/$name.in"
	: >"$T/$name.out"
	psql -X -A -t -q -h "$T" -p "$port" -U "$user" -d "$db" \
		<"$T/$name.in" >"$T/$name.out" 2>&1 &
	eval "SESSION_PID_$name=$!"
	exec {fd}>"$T/$name.in"
	eval "SESSION_FD_$name=$fd"
	SESSIONS+=("$name")
	printf '\\set VERBOSITY sqlstate\n' >&"$fd"
	session_q "$name" 'select 1' >/dev/null
}
# session_q NAME SQL: send SQL (one statement), print its output (errors as
# "ERROR:  <sqlstate>") once the session has answered
session_q() {
	local name=$1 sql=$2 fd marker start i
	eval "fd=\$SESSION_FD_$name"
	marker="__done_${RANDOM}_${RANDOM}__"
	start=$(wc -l <"$T/$name.out")
	printf '%s\n;\n\\echo %s\n' "$sql" "$marker" >&"$fd"
	for i in $(seq 1 600); do
		if grep -q "^$marker\$" "$T/$name.out"; then
			tail -n +"$((start + 1))" "$T/$name.out" | sed "/^$marker\$/,\$d"
			return 0
		fi
		sleep 0.05
	done
	echo "TIMEOUT"
	return 1
}
session_close() {
	local name=$1 fd pid
	eval "fd=\${SESSION_FD_$name:-}"
	eval "pid=\${SESSION_PID_$name:-}"
	[ -n "$fd" ] && { printf '\\q\n' >&"$fd"; exec {fd}>&-; } 2>/dev/null
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	eval "unset SESSION_FD_$name SESSION_PID_$name"
	return 0
}
