#!/usr/bin/env bash
# protect_dump.sh -- pg_dump / pg_restore of protected partitions and
# children.  The event triggers that follow the user's DDL (new partitions,
# owner's policies) fire during a restore too; they must neither fail it nor
# change what it restores.
#
# The source: a table partitioned on two levels and protected, a partition
# attached after protect() and one detached, an inheritance child, owner's
# permissive policies whose names sort before and after the extension's own
# (FOR SELECT on the parent, FOR INSERT on a partition), a restrictive
# one.  Dumped in custom format, restored with pg_restore (and with
# pg_restore -j 2) into fresh databases: no error; the same rows in
# inventree_perms.protected (relation, model, root, what protect() changed);
# the same policies on every table; the same RLS flags; and a reader without
# permission still gets nothing from a partition.
#
# Run as root after `make install`.  Port: 5720 (or the next free up to 5739).
source "$(dirname "$0")/lib/common.bash"

PORT=$(free_port 5720 5739)
new_cluster pg "$PORT"

q "$PORT" postgres "CREATE DATABASE src" || bail "createdb"
q "$PORT" src - >/dev/null <<'SQL' || bail "source setup"
CREATE EXTENSION inventree_perms;
CREATE ROLE pd_reader LOGIN;
SELECT inventree_perms.create_user('pd_reader');
CREATE TABLE public.m (id int, d date NOT NULL, who name) PARTITION BY RANGE (d);
CREATE TABLE public.m_2024 PARTITION OF public.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
	PARTITION BY RANGE (d);
CREATE TABLE public.m_2024_h1 PARTITION OF public.m_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
INSERT INTO public.m VALUES (1, '2024-02-01', 'pd_reader');
SELECT inventree_perms.protect('public.m', 'pd_m');
CREATE TABLE public.m_2025 (LIKE public.m);
INSERT INTO public.m_2025 VALUES (2, '2025-02-01', 'pd_reader');
ALTER TABLE public.m ATTACH PARTITION public.m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.m_2026 PARTITION OF public.m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE public.m DETACH PARTITION public.m_2026;
CREATE POLICY a_own ON public.m FOR SELECT USING (who = current_user);
CREATE POLICY z_own ON public.m_2025 FOR INSERT WITH CHECK (who = current_user);
CREATE POLICY r_any ON public.m_2024_h1 AS RESTRICTIVE USING (true);
CREATE TABLE public.inh (id int, who name);
CREATE TABLE public.inh_c () INHERITS (public.inh);
INSERT INTO public.inh_c VALUES (3, 'pd_reader');
SELECT inventree_perms.protect('public.inh', 'pd_inh');
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pd_reader;
SQL

state() {	# state DB: what protection there is, one line each, sorted
	q "$PORT" "$1" "SELECT 'protected ' || relation::text || ' ' || model || ' root=' || root::text
			|| ' rls=' || enabled_rls || ' admit=' || added_permissive FROM inventree_perms.protected
		UNION ALL
		SELECT 'policy ' || polrelid::regclass || ' ' || polname || ' ' || polcmd::text || ' ' || polpermissive || ' '
			|| coalesce(pg_get_expr(polqual, polrelid), '-') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '-')
		  FROM pg_policy
		UNION ALL
		SELECT 'table ' || oid::regclass || ' rls=' || relrowsecurity FROM pg_class
		 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
		ORDER BY 1"
}
state src >"$T/src.state"
is "$(grep -c '^protected' "$T/src.state")" 7 "source: seven tables protected (both trees, the detached partition included)"
is "$(grep -c 'inventree_perms_permissive_select' "$T/src.state")" 3 \
	"source: the parent with its own SELECT policy and its three partitions have no admit-all for SELECT, the detached partition and the inheritance tree have"

pg_dump -h "$T" -p "$PORT" -U postgres -Fc -f "$T/src.dump" src
ok $? "pg_dump -Fc"
for how in plain parallel; do
	db="r_$how"
	q "$PORT" postgres "CREATE DATABASE $db" || bail "createdb $db"
	if [ "$how" = plain ]; then
		pg_restore -h "$T" -p "$PORT" -U postgres -d "$db" --exit-on-error "$T/src.dump" 2>"$T/$db.err"
	else
		pg_restore -h "$T" -p "$PORT" -U postgres -d "$db" -j 2 "$T/src.dump" 2>"$T/$db.err"
	fi
	ok $? "$how: pg_restore succeeds"
	is "$(cat "$T/$db.err")" "" "$how: pg_restore reports no error"
	state "$db" >"$T/$db.state"
	same_file "$T/src.state" "$T/$db.state" "$how: the same protection, policies and RLS flags on every table"
	is "$(q "$PORT" "$db" "SET ROLE pd_reader; SELECT count(*) FROM public.m_2024_h1")" 0 \
		"$how: the reader still gets nothing from a level-2 partition"
	is "$(q "$PORT" "$db" "SET ROLE pd_reader; SELECT count(*) FROM public.m_2026")" 0 \
		"$how: ... nor from the detached one"
done

is "$(log_crashes pg)" "" "server log: no crash"
tap_done
