#!/usr/bin/env bash
# scopes_fuzz.sh -- hostile input to the row-scope functions, with trees,
# owners and grants present so that calls reach deep.
#
# Each of register_tree, unregister_tree, set_owner, drop_owner,
# grant/revoke_user_scope, grant/revoke_group_scope, protect (with its scope
# arguments), has_row_perm (both forms) and user_scopes is called many times
# with generated arguments: names that exist and ones that nearly do,
# adversarial strings, NULLs, extreme node and owner ids (0, -1, bigint's
# limits), tables of every kind; between calls the tree's table is mutated
# at random (moves that make cycles and self-loops, dangling parents,
# re-owns, deletes, TRUNCATE, inserts).  Each call is its own statement,
# inside a subtransaction; its SQLSTATE is recorded.  Afterwards: only the
# SPEC's SQLSTATEs came back (per function), has_row_perm never failed for a
# valid action and registered model, every check answered (no hang: a
# statement_timeout would show), and the server did not crash.
#
# Seed: FUZZ_SEED (default: time); FUZZ_N (rounds, default 3000).
# Run as root after `make install`.  Port: 5800 (or the next free up to 5819).
source "$(dirname "$0")/lib/common.bash"

SEED=${FUZZ_SEED:-$(date +%s)}
N=${FUZZ_N:-3000}
PORT=$(free_port 5800 5819)
new_cluster pg "$PORT" "statement_timeout = 60s"
diag "seed $SEED (FUZZ_SEED=$SEED to repeat), $N rounds"

q "$PORT" postgres "CREATE DATABASE fz" >/dev/null || bail "createdb"
q "$PORT" fz - >/dev/null <<'SQL' || bail "setup"
CREATE EXTENSION inventree_perms;
CREATE TABLE public.loc (id bigint PRIMARY KEY, parent_id bigint, owner_id bigint);
INSERT INTO public.loc SELECT i, CASE WHEN i > 1 THEN i / 2 END, CASE WHEN i % 7 = 0 THEN i % 5 END
  FROM generate_series(1, 200) i;
CREATE TABLE public.cat (id smallint PRIMARY KEY, parent_id smallint);
INSERT INTO public.cat VALUES (1, NULL), (2, 1);
CREATE TABLE public.item (id int PRIMARY KEY, location_id bigint, owner_id int, label text);
CREATE TABLE public.nopk (id int, parent_id int);
CREATE VIEW public.v AS SELECT 1 AS id;
CREATE SEQUENCE public.s;
SELECT inventree_perms.create_user(u) FROM unnest('{alice,bob,Sales Lead}'::text[]) u;
SELECT inventree_perms.create_user('root', true);
SELECT inventree_perms.create_group(g) FROM unnest('{Sales Team,g1}'::text[]) g;
SELECT inventree_perms.add_user_to_group('alice', 'Sales Team');
SELECT inventree_perms.register_tree('loc', 'public.loc', 'parent_id', 'owner_id');
SELECT inventree_perms.register_tree('cat', 'public.cat');
SELECT inventree_perms.protect('public.item', 'item', 'location_id', 'loc', 'owner_id');
SELECT inventree_perms.set_owner(o, 'alice') FROM generate_series(0, 2) o;
SELECT inventree_perms.set_owner(3, groupname => 'Sales Team');
CREATE TABLE public.fz_log (fn text, state text, args text);
SQL

q "$PORT" fz - >"$T/run.out" 2>&1 <<SQL
SELECT setseed(1.0 / (1 + ($SEED % 1000000)));
CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text LANGUAGE sql VOLATILE AS
	\$\$ SELECT a[1 + floor(random() * cardinality(a))::int] \$\$;
CREATE FUNCTION pg_temp.bigpick() RETURNS bigint LANGUAGE sql VOLATILE AS
	\$\$ SELECT (ARRAY[NULL, 0, -1, 1, 2, 3, 7, 150, 199, 200, 201, 100000, 9223372036854775807, -9223372036854775808,
				1 + floor(random() * 220)::bigint, 1 + floor(random() * 220)::bigint])[1 + floor(random() * 16)::int] \$\$;
DO \$\$
DECLARE
	names text[] := ARRAY[NULL, '', ' ', 'alice', 'bob', 'Sales Lead', 'root', 'nobody', 'Sales Team', 'g1',
		'item', 'loc', 'cat', 'user', 'group', 'stock', 'Item', 'ITEM', 'alice ', e'al\\tice', '''', '\\',
		'''); DROP TABLE public.loc; --', '%s%n', repeat('a', 151), repeat('m', 64), 'a.b', '9x', U&'\\0301e'];
	acts text[] := ARRAY[NULL, 'view', 'add', 'change', 'delete', 'edit', 'EDIT', 'all', 'ALL', 'bogus', '', 'View '];
	rels text[] := ARRAY[NULL, 'public.loc', 'public.cat', 'public.item', 'public.nopk', 'public.v', 'public.s',
		'inventree_perms.users', 'pg_catalog.pg_class', '999999999'];
	cols text[] := ARRAY[NULL, 'parent_id', 'owner_id', 'id', 'location_id', 'label', 'nope', '', 'ctid'];
	fns text[] := ARRAY['register_tree', 'unregister_tree', 'set_owner', 'drop_owner', 'grant_user_scope',
		'revoke_user_scope', 'grant_group_scope', 'revoke_group_scope', 'protect', 'has_row_perm',
		'has_row_perm_acting', 'user_scopes', 'mutate', 'mutate', 'mutate', 'grant_good', 'grant_good',
		'check_good'];
	fn text;
	sql text;
	r text;
BEGIN
	FOR i IN 1..$N LOOP
		fn := pg_temp.pick(fns);
		sql := CASE fn
			WHEN 'register_tree' THEN format('SELECT inventree_perms.register_tree(%L, %L::regclass, %L, %L)',
				pg_temp.pick(names), pg_temp.pick(rels), pg_temp.pick(cols), pg_temp.pick(cols))
			WHEN 'unregister_tree' THEN format('SELECT inventree_perms.unregister_tree(%L)', pg_temp.pick(names))
			WHEN 'set_owner' THEN format('SELECT inventree_perms.set_owner(%L, %L, %L)', pg_temp.bigpick(),
				pg_temp.pick(names), pg_temp.pick(names))
			WHEN 'drop_owner' THEN format('SELECT inventree_perms.drop_owner(%L)', pg_temp.bigpick())
			WHEN 'protect' THEN format('SELECT inventree_perms.protect(%L::regclass, %L, %L, %L, %L)',
				pg_temp.pick(rels), pg_temp.pick(names), pg_temp.pick(cols), pg_temp.pick(names), pg_temp.pick(cols))
			WHEN 'has_row_perm' THEN format('SELECT inventree_perms.has_row_perm(%L, %L, %L, %L, %L)',
				pg_temp.pick(names), pg_temp.pick(names), pg_temp.pick(acts), pg_temp.bigpick(), pg_temp.bigpick())
			WHEN 'has_row_perm_acting' THEN format('SELECT inventree_perms.has_row_perm(%L, %L, %L::bigint, %L::bigint)',
				pg_temp.pick(names), pg_temp.pick(acts), pg_temp.bigpick(), pg_temp.bigpick())
			WHEN 'grant_good' THEN format('SELECT inventree_perms.grant_%s_scope(%L, %L, %L, %s)',
				CASE WHEN random() < 0.5 THEN 'user' ELSE 'group' END,
				CASE WHEN random() < 0.5 THEN 'alice' ELSE 'Sales Team' END, 'item',
				pg_temp.pick(ARRAY['view', 'add', 'change', 'delete', 'all']), 1 + floor(random() * 200))
			WHEN 'check_good' THEN format('SELECT count(*) FILTER (WHERE inventree_perms.has_row_perm(%L, ''item'', %L, n, %L)) FROM generate_series(-5, 250) n',
				pg_temp.pick(ARRAY['alice', 'bob', 'root', 'Sales Lead']), pg_temp.pick(ARRAY['view', 'add', 'change', 'delete']),
				pg_temp.bigpick())
			WHEN 'user_scopes' THEN format('SELECT count(*) FROM inventree_perms.user_scopes(%L)', pg_temp.pick(names))
			WHEN 'mutate' THEN (ARRAY[
				format('UPDATE public.loc SET parent_id = %L WHERE id = %L', pg_temp.bigpick(), pg_temp.bigpick()),
				format('UPDATE public.loc SET owner_id = %L WHERE id %% 11 = %s', pg_temp.bigpick(), floor(random() * 11)),
				format('DELETE FROM public.loc WHERE id = %L', pg_temp.bigpick()),
				format('INSERT INTO public.loc VALUES (%L, %L, %L) ON CONFLICT DO NOTHING', pg_temp.bigpick(),
					pg_temp.bigpick(), pg_temp.bigpick()),
				'UPDATE public.loc SET parent_id = id WHERE id % 17 = 3',
				CASE WHEN random() < 0.05 THEN 'TRUNCATE public.loc' ELSE 'SELECT 1' END])[1 + floor(random() * 6)::int]
			ELSE format('SELECT inventree_perms.%s(%L, %L, %L, %L)', fn, pg_temp.pick(names), pg_temp.pick(names),
				pg_temp.pick(acts), pg_temp.bigpick()) END;
		BEGIN
			EXECUTE sql;
			r := '00000';
		EXCEPTION WHEN OTHERS THEN
			r := SQLSTATE;
		END;
		INSERT INTO public.fz_log VALUES (fn, r, sql);
		IF random() < 0.05 THEN
			-- sometimes the tree is rebuilt so that grants can be made again
			BEGIN
				INSERT INTO public.loc SELECT i, CASE WHEN i > 1 THEN i / 2 END, NULL FROM generate_series(1, 200) i
				ON CONFLICT DO NOTHING;
			EXCEPTION WHEN OTHERS THEN NULL;
			END;
		END IF;
	END LOOP;
END;
\$\$;
SQL
ok $? "$N rounds ran to the end"
[ -s "$T/run.out" ] && diag "$(head -5 "$T/run.out")"

q "$PORT" fz "SELECT fn, state, count(*) FROM public.fz_log GROUP BY 1, 2 ORDER BY 1, 2" >"$T/states"
diag "$(tr '\n' ' ' <"$T/states")"
# what each function may answer (22004 NULL, 22023 bad name/action, 42501 not
# here: the superuser calls; 42704 unknown; the SPEC's codes of row scopes;
# 22P02/42P01/22003 from the regclass/number casts of the generated SQL itself)
bad=$(q "$PORT" fz "SELECT fn || ' ' || state || ' ' || left(args, 200) FROM public.fz_log WHERE state NOT IN ('00000', '22P02', '42P01')
	AND NOT (fn = 'register_tree' AND state IN ('22004', '22023', '42704', '42710', '42P10', '42703', '42804', '42809', '42501'))
	AND NOT (fn = 'unregister_tree' AND state IN ('22004', '22023', '42704', '2BP01'))
	AND NOT (fn IN ('set_owner', 'drop_owner') AND state IN ('22004', '22023', '42704'))
	AND NOT (fn ~ 'scope$' AND state IN ('22004', '22023', '42704', '55000'))
	AND NOT (fn = 'protect' AND state IN ('22004', '22023', '42704', '42710', '42703', '42804', '42809', '55000'))
	AND NOT (fn ~ '^has_row_perm' AND state IN ('22023', '42704'))
	AND NOT (fn = 'user_scopes' AND state IN ('22004', '22023', '42704'))
	AND NOT (fn = 'mutate' AND state IN ('23505', '23502'))
	AND NOT (fn = 'grant_good' AND state IN ('42704', '55000', '22023'))
	AND NOT (fn = 'check_good' AND state IN ('42704'))
	LIMIT 20")
is "$bad" "" "only the SPEC's SQLSTATEs came back"
is "$(q "$PORT" fz "SELECT count(*) FROM public.fz_log WHERE state = '57014'")" 0 "no call was cancelled by statement_timeout (no hang)"
is "$(q "$PORT" fz "SELECT count(*) FILTER (WHERE state = '00000') > 0 FROM public.fz_log WHERE fn ~ '^grant_'")" t \
	"some scoped grants were made (the calls reached deep)"
is "$(q "$PORT" fz "SELECT count(*) FROM inventree_perms.user_scope_grants g
	WHERE NOT EXISTS (SELECT 1 FROM public.loc l WHERE l.id = g.node) AND g.tree = 'loc'")" 0 \
	"no scoped grant is left on a node that is gone"
is "$(log_crashes pg)" "" "server log: no crash"
tap_done
