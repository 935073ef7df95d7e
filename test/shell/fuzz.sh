#!/usr/bin/env bash
# fuzz.sh -- hostile input to every function of inventree_perms.
#
# Every function of the extension's schema whose name does not start with
# "_" (the SPEC's list; read from pg_proc, so new functions are fuzzed too)
# is called thousands of times with generated arguments: random strings
# (ASCII, control characters except NUL, Unicode incl. combining marks, RTL
# and zero-width characters, emoji), adversarial ones (quotes, backslashes,
# SQL fragments like '); DROP TABLE x; --, format strings, names with
# leading/trailing blanks, 150/151-character and 63/64-byte names, 1 MB
# strings, 1000 combining marks), the names that exist (so calls reach deep),
# NULLs, and for regclass/regrole/name arguments: tables, a view, a sequence,
# system catalogs, the extension's own tables, dangling OIDs.
# Pass 1 calls as the PostgreSQL superuser (reaching every code path), pass 2
# as an ordinary role.  Each call is its own top-level statement; psql
# records its SQLSTATE; for a failing call a digest of all extension tables
# (and the RLS state of user tables) taken before and after must be equal.
# In pass 2 every refused call must have said 42501 (it comes before any
# other check of the arguments for a caller who may not manage).
# Afterwards: only the SPEC's SQLSTATEs came back (22023, 42704, 42710,
# 42501, 22004 -- plus, for the few functions where the SPEC is silent and
# PostgreSQL has its own code, that code: listed in ALLOWED_EXTRA below and
# printed), nothing half-changed, every call answered, the postmaster is alive
# and its log has no crash.  The internal "_" functions are then called with
# random input as the superuser: any SQLSTATE but XX000 (internal error) is
# fine, no crash.
#
# Seed: FUZZ_SEED (default: time); FUZZ_N (calls per function and pass,
# default 80); FUZZ_N_INTERNAL (calls per internal function, default 25: they
# are about 100 and only robustness is asked of them).  Run as root after
# `make install`.  Port: 5477 (or next free).
source "$(dirname "$0")/lib/common.bash"

SEED=${FUZZ_SEED:-$(date +%s)}
N=${FUZZ_N:-80}
N_INTERNAL=${FUZZ_N_INTERNAL:-25}
P=$(free_port 5477 5479)
new_cluster pg "$P" "statement_timeout = 20s"
diag "cluster on 127.0.0.1:$P in $T; seed $SEED (FUZZ_SEED=$SEED to repeat), $N calls per function and pass"

# SQLSTATEs the SPEC defines, and where it is silent, PostgreSQL's own
ALLOWED="22023 42704 42710 42501 22004"
declare -A ALLOWED_EXTRA=(
	[protect]="42P01 42809 42703 42804"	# dangling OID (undefined_table), not a table (wrong_object_type), scope/owner column missing or not an integer
	[unprotect]="42P01 42809 55000"	# ... and a partition or child still attached (object_not_in_prerequisite_state)
	[register_tree]="42P01 42809 42P10 42703 42804"	# no one-column integer primary key (42P10), a missing column (42703)
	[unregister_tree]="2BP01"			# a protected table is scoped by the tree (dependent_objects_still_exist)
	[grant_user_scope]="55000"			# the model is not scoped
	[revoke_user_scope]="55000"
	[grant_group_scope]="55000"
	[revoke_group_scope]="55000"
	[unregister_model]="2BP01"		# the model protects a table: unprotect first (dependent_objects_still_exist)
	[import_django]="3F000 42P01 42703 42804 42809"	# schema/table/column missing or wrong type
	[link_django]="3F000 42P01 42703 42804 42809"
	[unlink_django]="3F000 42P01 42703 42804 42809"
	[scope_admits_row]="42804"		# the row's attribute is not an integer column (datatype_mismatch)
	[scope_nodes]="40001"			# a narrow scope's plan run for a model-wide holder (serialization_failure)
)

# each pass in a fresh database (pass 1 may well make fz_user an administrator)
q "$P" postgres "CREATE ROLE ip_app LOGIN; CREATE ROLE fz_user LOGIN;
	CREATE DATABASE fz_super; CREATE DATABASE fz_ordinary; CREATE DATABASE fz_internal" >/dev/null || bail "roles"
SETUP=$(cat <<'SQL'
CREATE EXTENSION inventree_perms;
CREATE TABLE public.items (id int);
CREATE TABLE public.other (id int);
CREATE TABLE public.parted (id int) PARTITION BY RANGE (id);
CREATE VIEW public.v AS SELECT 1 AS x;
CREATE SEQUENCE public.s_seq;
GRANT SELECT ON public.items TO fz_user;
SELECT inventree_perms.protect('public.items');
SELECT inventree_perms.register_model('widget', 'public.other');
SELECT inventree_perms.create_user(u) FROM unnest(ARRAY['alice', 'bob', 'Sales Lead', 'fz_user']) u;
SELECT inventree_perms.create_user('root', true);
SELECT inventree_perms.create_group(g) FROM unnest(ARRAY['Sales Team', 'g1']) g;
SELECT inventree_perms.add_user_to_group('alice', 'Sales Team');
SELECT inventree_perms.grant_user_perm('bob', 'widget', 'all');
SELECT inventree_perms.grant_group_role('Sales Team', 'stock', 'view');
SELECT inventree_perms.add_delegate('ip_app');
-- a tree, owners and a scoped, owned table (row scopes)
CREATE TABLE public.locs (id int PRIMARY KEY, parent_id int, owner_id bigint);
INSERT INTO public.locs VALUES (1, NULL, NULL), (2, 1, 1), (3, 2, NULL);
CREATE TABLE public.stockx (id int, loc int, owner_id bigint);
SELECT inventree_perms.register_tree('locs', 'public.locs', 'parent_id', 'owner_id');
SELECT inventree_perms.protect('public.stockx', 'stockx', 'loc', 'locs', 'owner_id');
SELECT inventree_perms.set_owner(1, 'alice');
SELECT inventree_perms.grant_user_scope('bob', 'stockx', 'change', 2);
-- a Django-looking schema (incomplete on purpose)
CREATE SCHEMA dj;
CREATE TABLE dj.auth_user (id int, username text, is_superuser boolean, is_active boolean);
CREATE SCHEMA dj2;
CREATE TABLE dj2.auth_user (id int, username int);
-- the digest: every extension table (audit_log by count and max id: it is
-- append-only and would only grow), RLS flags and policies of user tables
CREATE FUNCTION public.fz_digest() RETURNS text LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
	SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
		SELECT 'u ' || t::text AS x FROM inventree_perms.users t
		UNION ALL SELECT 'g ' || t::text FROM inventree_perms.groups t
		UNION ALL SELECT 'mb ' || t::text FROM inventree_perms.memberships t
		UNION ALL SELECT 'm ' || t::text FROM inventree_perms.models t
		UNION ALL SELECT 'up ' || t::text FROM inventree_perms.user_perms t
		UNION ALL SELECT 'gp ' || t::text FROM inventree_perms.group_perms t
		UNION ALL SELECT 'r ' || t::text FROM inventree_perms.roles t
		UNION ALL SELECT 'rm ' || t::text FROM inventree_perms.role_models t
		UNION ALL SELECT 'gr ' || t::text FROM inventree_perms.group_roles t
		UNION ALL SELECT 'd ' || t::text FROM inventree_perms.delegates t
		UNION ALL SELECT 'p ' || t::text FROM inventree_perms.protected t
		UNION ALL SELECT 'dl ' || t::text FROM inventree_perms.django_links t
		UNION ALL SELECT 'ci ' || t::text FROM inventree_perms.role_change_inherits t
		UNION ALL SELECT 'tr ' || t::text FROM inventree_perms.trees t
		UNION ALL SELECT 'ow ' || t::text FROM inventree_perms.owners t
		UNION ALL SELECT 'ms ' || t::text FROM inventree_perms.model_scopes t
		UNION ALL SELECT 'us ' || t::text FROM inventree_perms.user_scope_grants t
		UNION ALL SELECT 'gs ' || t::text FROM inventree_perms.group_scope_grants t
		UNION ALL SELECT 'a ' || count(*) || ' ' || coalesce(max(id), 0) FROM inventree_perms.audit_log
		UNION ALL SELECT 'rls ' || oid::regclass || relrowsecurity FROM pg_class
			WHERE relnamespace IN ('public'::regnamespace, 'inventree_perms'::regnamespace) AND relkind IN ('r', 'p')
		UNION ALL SELECT 'pol ' || polrelid::regclass || polname || coalesce(pg_get_expr(polqual, polrelid), '')
			|| coalesce(pg_get_expr(polwithcheck, polrelid), '') FROM pg_policy) s
$$;
GRANT EXECUTE ON FUNCTION public.fz_digest() TO PUBLIC;
SQL
)
for db in fz_super fz_ordinary fz_internal; do
	q "$P" "$db" "$SETUP" >/dev/null || bail "setup $db"
done

# the functions: name|argtype,argtype,...
# (everything PUBLIC may execute: the API, and the functions the policies call)
q "$P" fz_super "SELECT p.pronamespace::regnamespace || '.' || p.proname || '|' || coalesce(array_to_string(p.proargtypes::regtype[], ','), '')
	FROM pg_proc p WHERE p.pronamespace IN ('inventree_perms'::regnamespace, 'inventree_perms_internal'::regnamespace)
	  AND has_function_privilege('public', p.oid, 'EXECUTE')
	ORDER BY 1" >"$T/functions"
q "$P" fz_super "SELECT p.pronamespace::regnamespace || '.' || p.proname || '|' || coalesce(array_to_string(p.proargtypes::regtype[], ','), '')
	FROM pg_proc p WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace
	  AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
	  AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
	  AND p.prorettype <> 'trigger'::regtype ORDER BY 1" >"$T/internal"
NF=$(wc -l <"$T/functions")
ok "$([ "$NF" -ge 30 ]; echo $?)" "found $NF public functions to fuzz"

# ---- the generator (perl: always there beside PostgreSQL's Debian packages) --
cat >"$T/gen.pl" <<'PERL'
use strict; use warnings; use utf8;
binmode STDOUT, ':encoding(UTF-8)';
my ($seed, $n, $fnfile, $role, $startid) = @ARGV;
srand($seed);
sub lit { my $s = shift; $s =~ s/'/''/g; return "'$s'"; }
sub hex_utf8 { my $s = shift; my $b = $s; utf8::encode($b); return "convert_from(decode('" . unpack('H*', $b) . "', 'hex'), 'UTF8')"; }
my @pool = (map { chr } 32..126);
push @pool, map { chr } (1..31, 127);				# control characters, no NUL
push @pool, map { chr } (0x300, 0x301, 0x308, 0x336, 0x20D7);	# combining marks
push @pool, map { chr } (0x202E, 0x202D, 0x200F, 0x200E, 0x61C);	# bidi controls
push @pool, map { chr } (0x5D0, 0x5E9, 0x627, 0x644, 0x645);	# Hebrew, Arabic
push @pool, map { chr } (0x200B, 0xFEFF, 0xA0, 0x2028, 0x3000, 0x1F600, 0x10FFFD, 0xE9, 0x130, 0x1C5);
push @pool, ("'", "'", '"', '\\', '\\', ';', '%', '$', '-', '*', '/');
sub rnd_str { my $len = int(rand(rand() < 0.2 ? 200 : 24)); return join('', map { $pool[int rand @pool] } 1..$len); }
my @known = ('alice', 'bob', 'Sales Lead', 'root', 'fz_user', 'nobody', 'Sales Team', 'g1', 'widget', 'items',
	'user', 'group', 'stock', 'part', 'stock_stockitem', 'build', 'admin', 'view', 'add', 'change', 'delete',
	'edit', 'EDIT', 'View', 'all', 'ALL', 'dj', 'dj2', 'public', 'inventree_perms', 'pg_catalog',
	'locs', 'stockx', 'parent_id', 'owner_id', 'loc', 'id');
my @adv = ('', ' ', 'alice ', ' alice', "al\tice", "al\nice", 'ALICE', "'", "''", '"', '\\', '\\\\', "\\'",
	"'); DROP TABLE x; --", "x'; DROP TABLE inventree_perms.users; --", "\" OR 1=1 --", "1' OR '1'='1",
	'%s%s%n%x', '$1', '$$', '$q$', '*/', '/*', 'NULL', 'null', 'true', 'view,add', 'view ', ' view', "vi\x{0301}ew",
	'a' x 150, 'a' x 151, 'm' x 63, 'm' x 64, 'a' . ('é' x 62), 'stock.item', 'Stock', '9lives', '_x', 'a-b',
	'p.kowalski@example.com', 'Sales Team ', "Sales\x{00A0}Team", "e\x{0301}", "\x{202E}nimda", "\x{5E9}\x{5DC}\x{5D5}\x{5DD}",
	"\x{1F600}", "\x{200B}alice", "alice\x{FEFF}", "\x01", "\x1f", "\x7f", "a\x{2028}b", 'inventree_perms.users',
	'pg_catalog.pg_authid', 'SELECT 1', '\\x00', 'current_user', 'session_user');
my @long = ("repeat('a', 1048576)", "repeat('é', 350000)", "repeat(U&'\\0301', 1000)", "'a' || repeat(U&'\\0301', 200)",
	"repeat('''', 100000)", "repeat('\\', 100000)", "repeat('x; DROP TABLE x; --', 50000)");
sub text_arg {
	my $r = rand();
	return 'NULL' if $r < 0.07;
	return lit($known[int rand @known]) if $r < 0.40;
	return hex_utf8($adv[int rand @adv]) if $r < 0.65;
	return $long[int rand @long] if $r < 0.72;
	if ($r < 0.80) { my $s = join('', map { ('a'..'z', '0'..'9', '_', '.')[int rand 38] } 1..(1 + int rand 70)); return lit('a' . $s); }
	return hex_utf8(rnd_str());
}
my @regclass = ("'public.items'::regclass", "'public.other'::regclass", "'public.parted'::regclass", "'public.v'::regclass",
	"'public.s_seq'::regclass", "'pg_catalog.pg_authid'::regclass", "'pg_catalog.pg_class'::regclass",
	"'inventree_perms.users'::regclass", "'inventree_perms.audit_log'::regclass", "'inventree_perms.my_permissions'::regclass",
	"'999999'::oid::regclass", "'0'::oid::regclass", "'4294967295'::oid::regclass", 'NULL', "'dj.auth_user'::regclass",
	"'public.locs'::regclass", "'public.stockx'::regclass");
my @regrole = ("'ip_app'::regrole", "'fz_user'::regrole", "'postgres'::regrole", "'pg_read_all_data'::regrole",
	"'pg_database_owner'::regrole", "'999999'::oid::regrole", "'0'::oid::regrole", 'NULL');
sub arg {
	my $t = shift;
	return (rand() < 0.1 ? 'NULL' : (rand() < 0.5 ? 'true' : 'false')) if $t eq 'boolean';
	return $regclass[int rand @regclass] if $t eq 'regclass';
	return $regrole[int rand @regrole] if $t eq 'regrole';
	return ('NULL', '0', '1', '2', '3', '-1', '9223372036854775807', '(-9223372036854775807 - 1)',
			int(rand(100)))[int rand 9] if $t eq 'bigint';
	return ('NULL', '0', '1', '2', '3', '-1', '2147483647', int(rand(10)))[int rand 8] if $t eq 'integer';
	return ('NULL', '0::smallint', '1::smallint', '-1::smallint', '32767::smallint', int(rand(10)) . '::smallint')[int rand 6]
		if $t eq 'smallint';
	return ('NULL', "'{}'::bigint[]", "'{1,2,3}'::bigint[]", "ARRAY[NULL]::bigint[]",
			"'{-9223372036854775808,9223372036854775807}'::bigint[]")[int rand 5] if $t eq 'bigint[]';
	return ('NULL', 'ROW(1, 2)', "ROW(NULL::int, 'x'::text)", 'ROW(2::bigint)', "(SELECT x FROM public.stockx x LIMIT 1)",
			"(SELECT l FROM public.locs l WHERE l.id = 3)", "(SELECT c FROM pg_catalog.pg_class c LIMIT 1)")[int rand 7]
		if $t eq 'record';
	return '(' . text_arg() . ')::name' if $t eq 'name';
	return '(' . text_arg() . ')::timestamptz' if 0;
	return (rand() < 0.1 ? 'NULL' : ("'" . ('-infinity', 'infinity', 'now', '2000-01-01', 'epoch')[int rand 5] . "'::timestamptz"))
		if $t eq 'timestamp with time zone';
	return text_arg();
}
open(my $fh, '<', $fnfile) or die;
my @fns = map { chomp; [split /\|/, $_, -1] } <$fh>;
print "\\set VERBOSITY sqlstate\n\\o /dev/null\n";
print "SET ROLE $role;\n" if $role ne 'postgres';
my $id = $startid;
for my $f (@fns) {
	my ($qname, $types) = @$f;
	(my $name = $qname) =~ s/^.*\.//;
	my @types = $types eq '' ? () : split /,/, $types;
	for (1..$n) {
		$id++;
		my $call = "SELECT $qname(" . join(', ', map { arg($_) } @types) . ")";
		$call = "SELECT * FROM $qname(" . join(', ', map { arg($_) } @types) . ")"
			if $name =~ /^(user_permissions|user_scopes|audit|import_django)$/;
		print "SELECT public.fz_digest() AS d0 \\gset\n$call;\n";
		print "\\if :ERROR\nSELECT public.fz_digest() <> :'d0' AS ch \\gset\n\\echo R $id $name :LAST_ERROR_SQLSTATE :ch\n";
		print "\\else\n\\echo R $id $name OK f\n\\endif\n";
	}
}
PERL

run_pass() {	# run_pass LABEL ROLE FUNCTIONS-FILE START-ID [CALLS-PER-FUNCTION]
	perl "$T/gen.pl" "$SEED" "${5:-$N}" "$3" "$2" "$4" >"$T/$1.sql" || bail "generator"
	psql -X -A -t -q -h "$T" -p "$P" -U postgres -d "fz_$1" -f "$T/$1.sql" >"$T/$1.out" 2>"$T/$1.err"
}

# ---- pass 1: as the superuser, pass 2: as an ordinary role ---------------------
t0=$(date +%s)
run_pass super postgres "$T/functions" 0
rc1=$?
run_pass ordinary fz_user "$T/functions" 100000
rc2=$?
diag "passes took $(($(date +%s) - t0)) s"
ok $rc1 "pass 1 (superuser): psql ran the whole script (exit $rc1: 2 = connection lost)"
ok $rc2 "pass 2 (ordinary role): psql ran the whole script (exit $rc2)"
for pass in super ordinary; do
	want=$((NF * N))
	is "$(grep -c '^R ' "$T/$pass.out")" "$want" "$pass: every one of the $want calls answered"
	is "$(awk '$1 == "R" && $5 == "t"' "$T/$pass.out" | head -5)" "" "$pass: no failing call changed anything (digest before = after)"
	# SQLSTATEs outside the SPEC (or the listed PostgreSQL codes for that function)
	bad=$(awk '$1 == "R" && $4 != "OK"' "$T/$pass.out" | while read -r _ id fn st ch; do
		case " $ALLOWED ${ALLOWED_EXTRA[$fn]:-} " in *" $st "*) ;; *) echo "$fn $st (call $id)";; esac
	done | sort | uniq -c -w 30 | head -20)
	is "$bad" "" "$pass: only SPEC SQLSTATEs (and the listed PostgreSQL ones) came back"
	diag "$pass: outcomes: $(awk '$1 == "R" { print $4 }' "$T/$pass.out" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')"
	extra=$(awk '$1 == "R" { print $3, $4 }' "$T/$pass.out" | while read -r fn st; do
		case " $ALLOWED OK " in *" $st "*) ;; *) echo "$fn:$st";; esac; done | sort | uniq -c | awk '{ printf "%s(%s) ", $2, $1 }')
	[ -n "$extra" ] && diag "$pass: PostgreSQL codes where the SPEC is silent: $extra"
done
# pass 2: an ordinary role never changed anything it may not
is "$(awk '$1 == "R" && $4 == "OK" { print $3 }' "$T/ordinary.out" | sort -u | grep -vxE 'has_model_perm|has_role_perm|has_row_perm|acting_user|reset_acting_user|user_permissions|user_scopes|set_acting_user|allowed_nodes|scope_admits|scope_admits_row|scope_nodes|scope_test[24]?' | tr '\n' ' ')" "" \
	"ordinary role: no management function succeeded"
# pass 2: to a caller who may not manage, 42501 comes before any other check
# of the arguments (a bad action, name or NULL tells it nothing); the checks
# (has_*, and allowed_nodes/scope_admits/scope_admits_row/scope_nodes/
# scope_test of the policies)
# and acting_user() are not management functions
is "$(awk '$1 == "R" && $4 != "OK" && $4 != "42501" { print $3 ":" $4 }' "$T/ordinary.out" | grep -vE '^(has_[a-z_]+|acting_user|allowed_nodes|scope_admits|scope_admits_row|scope_nodes|scope_test[24]?):' | sort | uniq -c | head -10 | tr '\n' ' ')" "" \
	"ordinary role: every refused call said 42501 first"

# ---- internal functions: robustness only --------------------------------------
run_pass internal postgres "$T/internal" 200000 "$N_INTERNAL"
ok $? "internal functions: psql ran the whole script"
# (_check_name's elog for a kind other than user/group/model/role -- also reached
# through _django_valid_name -- is the one expected XX000: callers pass constants)
is "$(awk '$1 == "R" && $4 == "XX000" && $3 != "_check_name" && $3 != "_django_valid_name"' "$T/internal.out" | head -3)" "" "internal functions: no internal error (XX000)"
diag "internal: outcomes: $(awk '$1 == "R" { print $4 }' "$T/internal.out" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')"

# ---- the acting user from a connection's startup options -----------------------
# A role granted SET on the parameter by mistake sets the acting user in its
# startup packet (PGOPTIONS): it is the value's setter, no delegate, so the
# value applies to none of its statements.
q "$P" fz_ordinary "CREATE ROLE fz_opt LOGIN; GRANT SET ON PARAMETER inventree_perms.acting_user TO fz_opt" >/dev/null
is "$(PGOPTIONS='-c inventree_perms.acting_user=root' psql -X -A -t -q -h "$T" -p "$P" -U fz_opt -d fz_ordinary \
	-c "SELECT inventree_perms.acting_user() || ' ' || inventree_perms.has_model_perm('widget', 'view')" 2>&1)" "fz_opt false" \
	"startup option set by a role that is no delegate: acting_user() is the role itself"
is "$(PGOPTIONS='-c inventree_perms.acting_user=root' psql -X -A -t -q -h "$T" -p "$P" -U postgres -d fz_ordinary \
	-c "SELECT inventree_perms.acting_user()" 2>&1)" "root" \
	"control: a superuser's startup option applies"
q "$P" fz_ordinary "REVOKE SET ON PARAMETER inventree_perms.acting_user FROM fz_opt" >/dev/null

# ---- the server ---------------------------------------------------------------
ok "$(postmaster_alive pg; echo $?)" "the postmaster is alive"
is "$(q "$P" postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")" 1 "the server answers"
is "$(log_crashes pg)" "" "server log: no crash (terminated by signal, TRAP, PANIC, restart)"
is "$(q "$P" fz_super "SELECT count(*) FROM pg_tables WHERE schemaname = 'inventree_perms'")" \
	"$(q "$P" fz_super "SELECT count(*) FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e' WHERE c.relkind = 'r' AND c.relnamespace = 'inventree_perms'::regnamespace")" \
	"no table dropped or added in the extension's schema (SQL fragments stayed data)"
tap_done
