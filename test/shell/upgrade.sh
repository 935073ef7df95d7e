#!/usr/bin/env bash
# upgrade.sh -- ALTER EXTENSION inventree_perms UPDATE from every released
# version keeps all data and gives the same answers.
#
# The released versions are read from the install directory
# ($(pg_config --sharedir)/extension/inventree_perms--*.sql: install scripts
# inventree_perms--V.sql and upgrade scripts inventree_perms--A--B.sql) and
# the target from default_version in inventree_perms.control.  For every
# version V (oldest first; the target itself too when it is the only one):
#   CREATE EXTENSION inventree_perms VERSION 'V' in a fresh database, fill it
#   (only SPEC functions, so any version takes it), snapshot every row of every
#   extension table (the columns V had) and every answer (user_permissions,
#   has_model_perm / has_role_perm matrices, RLS of protected tables, rows seen
#   through them, my_permissions), keep a session open with a warm cache,
#   ALTER EXTENSION UPDATE, snapshot again and compare; the open session still
#   answers right, before and after new changes; new grants and audit rows
#   work; the public functions, extension members and pg_dump registrations
#   of V are all still there.
# Nothing here names a version: new versions are covered when their scripts
# are installed.
#
# Run as root after `make install`.  Port: 5472 (or the next free up to 5479).
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/perms.bash"
export LC_ALL=C	# comm and sort agree with the databases' "C" order

EXTDIR="$("$PGBIN/pg_config" --sharedir)/extension"
CONTROL="$EXTDIR/inventree_perms.control"
[ -f "$CONTROL" ] || bail "$CONTROL missing: run make install first"
TARGET=$(sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$CONTROL")
[ -n "$TARGET" ] || bail "no default_version in $CONTROL"

# every version a script mentions, oldest first
VERSIONS=$(for f in "$EXTDIR"/inventree_perms--*.sql; do
	b=$(basename "$f" .sql)
	b=${b#inventree_perms--}
	printf '%s\n' "${b//--/$'\n'}"
done | sort -u -V)
diag "installed scripts: $(cd "$EXTDIR" && echo inventree_perms--*.sql)"
diag "versions: $(echo $VERSIONS); target (default_version): $TARGET"

PORT=$(free_port 5472 5479)
new_cluster pg "$PORT"

# fingerprint DB: every object of the extension and its definition, as a
# sorted list of lines (an updated extension must equal a fresh install)
FINGERPRINT="
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'inventree_perms'),
ns AS (SELECT n.oid FROM pg_namespace n WHERE n.nspname IN ('inventree_perms', 'inventree_perms_internal')),
rels AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c, ns WHERE c.relnamespace = ns.oid)
SELECT line FROM (
	SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid) AS line
	  FROM pg_depend d, ext WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure || ' acl=' || coalesce(p.proacl::text, '-')
		   || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '-') || E'\\n' || pg_get_functiondef(p.oid)
	  FROM pg_proc p, ns WHERE p.pronamespace = ns.oid
	UNION ALL
	SELECT 'schema ' || n.nspname || ' owner=' || (n.nspowner = ext_owner.o) || ' acl=' || coalesce(n.nspacl::text, '-')
		   || ' comment=' || coalesce(obj_description(n.oid, 'pg_namespace'), '-')
	  FROM pg_namespace n JOIN ns ON n.oid = ns.oid, (SELECT extowner AS o FROM pg_extension WHERE extname = 'inventree_perms') ext_owner
	UNION ALL
	SELECT 'relation ' || r.relname || ' kind=' || r.relkind::text || ' acl=' || coalesce(c.relacl::text, '-')
		   || ' comment=' || coalesce(obj_description(r.oid, 'pg_class'), '-')
		   || ' rls=' || c.relrowsecurity
	  FROM rels r JOIN pg_class c ON c.oid = r.oid
	UNION ALL
	SELECT 'column ' || r.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
		   || ' notnull=' || a.attnotnull || ' collation=' || coalesce(nullif(a.attcollation, 0)::regcollation::text, '-')
		   || ' default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-')
	  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum
	UNION ALL
	SELECT 'constraint ' || r.relname || '.' || co.conname || ' ' || pg_get_constraintdef(co.oid)
	  FROM rels r JOIN pg_constraint co ON co.conrelid = r.oid
	UNION ALL
	SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM rels r JOIN pg_index i ON i.indrelid = r.oid
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
	  FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT 'view ' || r.relname || ' ' || pg_get_viewdef(r.oid) FROM rels r WHERE r.relkind = 'v'
	UNION ALL
	SELECT 'event trigger ' || e.evtname || ' on ' || e.evtevent || ' ' || e.evtfoid::regproc
		   || ' enabled=' || e.evtenabled::text || ' tags=' || coalesce(e.evttags::text, '-')
	  FROM pg_event_trigger e JOIN pg_depend d ON d.classid = 'pg_event_trigger'::regclass AND d.objid = e.oid
	  JOIN ext ON d.refobjid = ext.oid AND d.deptype = 'e'
	UNION ALL
	SELECT 'dump ' || c::regclass || ' where=' || coalesce(w, '-')
	  FROM pg_extension x, unnest(x.extconfig, x.extcondition) AS u(c, w) WHERE x.extname = 'inventree_perms'
) f ORDER BY line COLLATE \"C\""

is "$(q "$PORT" postgres "SELECT string_agg(version, ' ' ORDER BY version) FROM pg_available_extension_versions WHERE name = 'inventree_perms'")" \
	"$(echo $VERSIONS | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" \
	"the server sees the same versions as the install directory"
ok "$(echo "$VERSIONS" | grep -qxF "$TARGET"; echo $?)" "default_version $TARGET has a script"

FROM=$(echo "$VERSIONS" | grep -vxF "$TARGET")
if [ -z "$FROM" ]; then
	diag "only one version ($TARGET) exists: the whole path runs from it, and ALTER EXTENSION UPDATE must be a no-op that keeps everything"
	FROM=$TARGET
fi

n=0
for V in $FROM; do
	n=$((n + 1))
	db="up$n"
	diag "---- from $V to $TARGET (database $db)"
	if [ "$V" != "$TARGET" ]; then
		is "$(q "$PORT" postgres "SELECT path IS NOT NULL FROM pg_extension_update_paths('inventree_perms') WHERE source = '$V' AND target = '$TARGET'")" t \
			"$V: an update path to $TARGET exists"
	fi
	q "$PORT" postgres "CREATE DATABASE $db" || bail "createdb $db"
	q "$PORT" "$db" "CREATE EXTENSION inventree_perms VERSION '$V'"
	ok $? "$V: CREATE EXTENSION inventree_perms VERSION '$V'"
	is "$(q "$PORT" "$db" "SELECT extversion FROM pg_extension WHERE extname = 'inventree_perms'")" "$V" "$V: installed version"
	fill_perms "$PORT" "$db" >/dev/null
	ok $? "$V: filled through the SPEC functions"
	snapshot "$PORT" "$db" "$T/$db.before"
	ok $? "$V: snapshot before the update"
	q "$PORT" "$db" "SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'inventree_perms'::regnamespace
		AND p.proname !~ '^_' ORDER BY p.oid::regprocedure::text" >"$T/$db.api.before"
	q "$PORT" "$db" "SELECT pg_describe_object(classid, objid, 0) FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
		WHERE e.extname = 'inventree_perms' AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass ORDER BY 1" >"$T/$db.members.before"
	q "$PORT" "$db" "SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'inventree_perms' ORDER BY 1" >"$T/$db.dump.before"
	MAXID=$(q "$PORT" "$db" "SELECT max(id) FROM inventree_perms.audit_log")

	# a session with a warm cache stays open through the update
	session_open "w$n" "$PORT" "$db"
	s_pid=$(session_q "w$n" "SELECT pg_backend_pid()")
	w_before=$(session_q "w$n" "SELECT inventree_perms.has_model_perm('alice', 'stock_stockitem', 'view'),
		inventree_perms.has_model_perm('bob', 'widget', 'delete'), inventree_perms.has_model_perm('bob', 'stock_stockitem', 'change'),
		inventree_perms.has_role_perm('alice', 'widgets', 'delete')")
	is "$w_before" "t|f|t|t" "$V: warm session answers before the update"

	upd=$(q "$PORT" "$db" "ALTER EXTENSION inventree_perms UPDATE" 2>&1)
	ok $? "$V: ALTER EXTENSION inventree_perms UPDATE"
	[ -n "$upd" ] && diag "$V: server said: $upd"
	is "$(q "$PORT" "$db" "SELECT extversion FROM pg_extension WHERE extname = 'inventree_perms'")" "$TARGET" "$V: now at $TARGET"

	snapshot "$PORT" "$db" "$T/$db.after" "$T/$db.before.cols"
	ok $? "$V: snapshot after the update"
	for sec in "table " "user_permissions" "has_model_perm" "has_role_perm" "protected tables" "rows each user sees"; do
		awk -v s="== $sec" 'index($0, "== ") == 1 { on = (index($0, s) == 1) } on' "$T/$db.before" >"$T/a"
		awk -v s="== $sec" 'index($0, "== ") == 1 { on = (index($0, s) == 1) } on' "$T/$db.after" >"$T/b"
		same_file "$T/a" "$T/b" "$V: ${sec% } unchanged by the update ($(grep -vc '^== ' "$T/a") lines)"
	done
	same_file "$T/$db.before" "$T/$db.after" "$V: whole snapshot unchanged"

	q "$PORT" "$db" "SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'inventree_perms'::regnamespace
		AND p.proname !~ '^_' ORDER BY p.oid::regprocedure::text" >"$T/$db.api.after"
	# 1.2: protect(regclass, text) became protect(regclass, text, name,
	# text, name) (row scopes): every call of the old form still works.
	is "$(comm -23 "$T/$db.api.before" "$T/$db.api.after" | grep -vx 'inventree_perms.protect(regclass,text)')" "" "$V: every public function of $V still exists ($(wc -l <"$T/$db.api.before"))"
	grep -qx 'inventree_perms.protect(regclass,text,name,text,name)' "$T/$db.api.after"
	ok $? "$V: protect() takes the calls of $V's protect(regclass, text)"
	q "$PORT" "$db" "SELECT pg_describe_object(classid, objid, 0) FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
		WHERE e.extname = 'inventree_perms' AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass ORDER BY 1" >"$T/$db.members.after"
	is "$(comm -23 "$T/$db.members.before" "$T/$db.members.after")" "" "$V: every table/sequence/view of $V is still an extension member"
	q "$PORT" "$db" "SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'inventree_perms' ORDER BY 1" >"$T/$db.dump.after"
	is "$(comm -23 "$T/$db.dump.before" "$T/$db.dump.after")" "" "$V: every pg_dump registration of $V kept ($(wc -l <"$T/$db.dump.before"))"

	# the updated extension is the one a fresh CREATE EXTENSION makes
	if [ "$V" != "$TARGET" ]; then
		q "$PORT" postgres "DROP DATABASE IF EXISTS fresh" >/dev/null 2>&1
		q "$PORT" postgres "CREATE DATABASE fresh" >/dev/null && q "$PORT" fresh "CREATE EXTENSION inventree_perms" >/dev/null
		q "$PORT" fresh "$FINGERPRINT" >"$T/fresh.objects"
		q "$PORT" "$db" "$FINGERPRINT" >"$T/$db.objects"
		ok "$([ "$(grep -c '^member ' "$T/fresh.objects")" -gt 50 ]; echo $?)" "$V: the fingerprint lists the extension's members ($(grep -c '^member ' "$T/fresh.objects"))"
		same_file "$T/fresh.objects" "$T/$db.objects" \
			"$V: after the update every object and definition equals a fresh $TARGET install ($(wc -l <"$T/fresh.objects") lines)"
	fi

	# the updated database goes through pg_dump / pg_restore unchanged
	pg_dump -h "$T" -p "$PORT" -U postgres -Fc -f "$T/$db.dump" "$db" 2>"$T/$db.dump.err"
	ok $? "$V: pg_dump of the updated database"
	q "$PORT" postgres "CREATE DATABASE ${db}_r TEMPLATE template0" >/dev/null
	pg_restore -h "$T" -p "$PORT" -U postgres --exit-on-error -d "${db}_r" "$T/$db.dump" >"$T/$db.restore.log" 2>&1
	ok $? "$V: pg_restore of it" || sed 's/^/#   /' "$T/$db.restore.log" | head -20
	snapshot "$PORT" "${db}_r" "$T/$db.restored" "$T/$db.before.cols"
	same_file "$T/$db.after" "$T/$db.restored" "$V: updated, dumped and restored: every row and answer the same"

	# the open session: same backend, same answers, then follows new changes
	is "$(session_q "w$n" "SELECT pg_backend_pid()")" "$s_pid" "$V: the warm session is the same backend"
	is "$(session_q "w$n" "SELECT inventree_perms.has_model_perm('alice', 'stock_stockitem', 'view'),
		inventree_perms.has_model_perm('bob', 'widget', 'delete'), inventree_perms.has_model_perm('bob', 'stock_stockitem', 'change'),
		inventree_perms.has_role_perm('alice', 'widgets', 'delete')")" "$w_before" "$V: warm session answers the same after the update"
	q "$PORT" "$db" "SELECT inventree_perms.revoke_user_perm('alice', 'stock_stockitem', 'view');
		SELECT inventree_perms.grant_user_perm('bob', 'widget', 'delete');
		SELECT inventree_perms.remove_user_from_group('bob', 'stock keepers');" >/dev/null
	is "$(session_q "w$n" "SELECT inventree_perms.has_model_perm('alice', 'stock_stockitem', 'view'),
		inventree_perms.has_model_perm('bob', 'widget', 'delete'), inventree_perms.has_model_perm('bob', 'stock_stockitem', 'change')")" "f|t|f" \
		"$V: warm session sees changes committed after the update"
	is "$(q "$PORT" "$db" "SELECT count(*) FILTER (WHERE id > $MAXID) = 3 AND min(id) FILTER (WHERE id > $MAXID) > $MAXID
		FROM inventree_perms.audit_log")" t "$V: new changes are audited, ids after the old ones"
	session_close "w$n"
done

# An older version (its functions beside the API, installed with this
# library) and a schema named inventree_perms_internal that someone else made:
# the gates still call the extension's own implementations, and the update
# refuses to adopt that schema (the extension stays as it was).
for V in $FROM; do
	[ "$V" = "$TARGET" ] && continue
	db="squat_${V//./_}"
	q "$PORT" postgres "CREATE DATABASE $db" >/dev/null || bail "createdb $db"
	q "$PORT" "$db" "CREATE EXTENSION inventree_perms VERSION '$V';
		CREATE ROLE squatter_$n LOGIN;
		GRANT CREATE ON DATABASE $db TO squatter_$n;
		SET ROLE squatter_$n;
		CREATE SCHEMA inventree_perms_internal;
		CREATE TABLE inventree_perms_internal.hijacked (what text);
		CREATE FUNCTION inventree_perms_internal._create_group(groupname text) RETURNS void
			LANGUAGE sql AS \$\$ INSERT INTO inventree_perms_internal.hijacked VALUES (groupname) \$\$;
		GRANT USAGE ON SCHEMA inventree_perms_internal TO PUBLIC;
		GRANT ALL ON inventree_perms_internal.hijacked TO PUBLIC;
		RESET ROLE;" >/dev/null || bail "squat $db"
	q "$PORT" "$db" "SELECT inventree_perms.create_group('squat_team')" >/dev/null
	ok $? "$V + a squatted inventree_perms_internal: create_group() works"
	is "$(q "$PORT" "$db" "SELECT (SELECT count(*) FROM inventree_perms.groups WHERE name = 'squat_team'),
		(SELECT count(*) FROM inventree_perms_internal.hijacked)")" "1|0" \
		"$V + a squatted inventree_perms_internal: the gate ran $V's own implementation, not the squatter's"
	is "$(sqlstate "$PORT" "$db" "ALTER EXTENSION inventree_perms UPDATE")" "42P06" \
		"$V: ALTER EXTENSION UPDATE refuses to adopt a schema inventree_perms_internal it did not make"
	is "$(q "$PORT" "$db" "SELECT extversion FROM pg_extension WHERE extname = 'inventree_perms'")" "$V" \
		"$V: ... and leaves the extension as it was"
	q "$PORT" "$db" "SET client_min_messages = warning; DROP SCHEMA inventree_perms_internal CASCADE; ALTER EXTENSION inventree_perms UPDATE" >/dev/null
	ok $? "$V: once that schema is gone, the update runs"
	n=$((n + 1))
done

is "$(log_crashes pg)" "" "server log: no crash"
tap_done
