-- scopes_rules.sql: the SPEC's "Row scopes (version 1.2)", rule by rule:
-- trees, owners, scoped grants, scoped and owned tables, has_row_perm,
-- user_scopes.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE sco_staff NOLOGIN;
CREATE ROLE sco_towner LOGIN IN ROLE sco_staff;		-- owns the tables, an administrator
CREATE ROLE sco_admin2 LOGIN IN ROLE sco_staff;		-- an administrator, owns nothing
CREATE ROLE sco_alice LOGIN IN ROLE sco_staff;		-- in team
CREATE ROLE sco_bob LOGIN IN ROLE sco_staff;		-- model-wide view, scoped change
CREATE ROLE sco_carol LOGIN IN ROLE sco_staff;		-- nothing
CREATE ROLE sco_super LOGIN IN ROLE sco_staff;		-- an active superuser of the extension
CREATE SCHEMA sco;
GRANT USAGE ON SCHEMA sco TO sco_staff;

-- locations: 1 > 2 > 3; 1 > 4 (owned by team) > 5 > 9 (owned by nobody: 99);
-- 6 <-> 7 a cycle, 8 below 7; 10 a root owned by an owner id never set (98)
CREATE TABLE sco.loc (id int PRIMARY KEY, parent_id int, owner_id bigint, name text);
INSERT INTO sco.loc VALUES (1, NULL, NULL, 'a'), (2, 1, NULL, 'b'), (3, 2, NULL, 'c'), (4, 1, 10, 'd'),
	(5, 4, NULL, 'e'), (6, 7, NULL, 'f'), (7, 6, NULL, 'g'), (8, 7, NULL, 'h'), (9, 5, 99, 'i'),
	(10, NULL, 98, 'j');
CREATE TABLE sco.item (id int PRIMARY KEY, location_id int, owner_id bigint);
INSERT INTO sco.item VALUES (1, 1, NULL), (2, 2, NULL), (3, 3, NULL), (4, 4, NULL), (5, 5, NULL),
	(6, 5, 11), (7, NULL, NULL), (8, 8, NULL), (9, 9, NULL), (10, 10, NULL), (11, 3, 10);
CREATE TABLE sco.nopk (id int, parent_id int);
CREATE TABLE sco.twopk (a int, b int, parent_id int, PRIMARY KEY (a, b));
CREATE TABLE sco.textpk (id text PRIMARY KEY, parent_id text);
CREATE TABLE sco.cat (id bigint PRIMARY KEY, parent bigint);
INSERT INTO sco.cat VALUES (1, NULL), (2, 1);
CREATE TABLE sco.part (id int PRIMARY KEY, category_id bigint);
INSERT INTO sco.part VALUES (1, 1), (2, 2), (3, NULL);
CREATE TABLE sco.mine (id int PRIMARY KEY, parent_id int);
CREATE TABLE sco.measure (id int, location_id int, at date) PARTITION BY RANGE (at);
CREATE TABLE sco.measure_2024 PARTITION OF sco.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO sco.measure VALUES (1, 2, '2024-05-01'), (2, 1, '2024-05-02');
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY '{loc,item,nopk,twopk,textpk,cat,part,measure,measure_2024}'::text[] LOOP
		EXECUTE format('ALTER TABLE sco.%I OWNER TO sco_towner', t);
	END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA sco TO sco_staff;

SELECT inventree_perms.create_user('sco_towner');
SELECT inventree_perms.grant_user_perm('sco_towner', 'user', 'change');
SELECT inventree_perms.create_user('sco_admin2');
SELECT inventree_perms.grant_user_perm('sco_admin2', 'user', 'change');
SELECT inventree_perms.create_user('sco_alice');
SELECT inventree_perms.create_user('sco_bob');
SELECT inventree_perms.create_user('sco_carol');
SELECT inventree_perms.create_user('sco_super', true);
SELECT inventree_perms.create_user('sco_gone');
SELECT inventree_perms.create_user('sco_idle', false, false);
SELECT inventree_perms.create_group('team');
SELECT inventree_perms.create_group('other');
SELECT inventree_perms.add_user_to_group('sco_alice', 'team');
SELECT inventree_perms.add_user_to_group('sco_idle', 'team');

CREATE FUNCTION pg_temp.audits(op text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM inventree_perms.audit_log WHERE operation = op;
$$;
-- the ids of sco.item a role sees / may change / may delete
CREATE FUNCTION pg_temp.seen(r text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	SELECT coalesce(array_agg(id ORDER BY id)::text, '{}') INTO v FROM sco.item;
	RESET ROLE;
	RETURN v;
END $$;
CREATE FUNCTION pg_temp.changeable(r text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	WITH u AS (UPDATE sco.item SET owner_id = owner_id RETURNING id)
	SELECT coalesce(array_agg(id ORDER BY id)::text, '{}') INTO v FROM u;
	RESET ROLE;
	RETURN v;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.seen(text), pg_temp.changeable(text) TO PUBLIC;

SELECT plan(134);

-- register_tree: who may ----------------------------------------------------
SET ROLE sco_carol;
SELECT throws_ok($$SELECT inventree_perms.register_tree('loc', 'sco.loc')$$, '42501', NULL,
	'register_tree: a non-administrator gets 42501');
SELECT throws_ok($$SELECT inventree_perms.register_tree('loc', 'sco.loc', 'nope', 'nope')$$, '42501', NULL,
	'... before the column checks');
SELECT throws_ok($$SELECT inventree_perms.register_tree('Bad Name', 'sco.loc')$$, '42501', NULL,
	'... and before the name check');
SELECT throws_ok($$SELECT inventree_perms.set_owner(1, 'nobody', 'nogroup')$$, '42501', NULL,
	'set_owner: 42501 first');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('nobody', 'nomodel', 'bogus', 1)$$, '42501', NULL,
	'grant_user_scope: 42501 first');
SELECT throws_ok($$SELECT inventree_perms.revoke_group_scope('x', 'y', 'z', 1)$$, '42501', NULL,
	'revoke_group_scope: 42501 first');
SELECT throws_ok($$SELECT inventree_perms.unregister_tree('Bad Name')$$, '42501', NULL,
	'unregister_tree: 42501 first');
SELECT throws_ok($$SELECT inventree_perms.drop_owner(1)$$, '42501', NULL,
	'drop_owner: 42501 first');
RESET ROLE;
SET ROLE sco_admin2;
SELECT throws_ok($$SELECT inventree_perms.register_tree('loc', 'sco.loc')$$, '42501', NULL,
	'an administrator who does not own the table may not register it');
RESET ROLE;

-- register_tree: arguments ----------------------------------------------------
SELECT throws_ok($$SELECT inventree_perms.register_tree(NULL, 'sco.loc')$$, '22004', NULL, 'NULL tree: 22004');
SELECT throws_ok($$SELECT inventree_perms.register_tree('Bad Name', 'sco.loc')$$, '22023', NULL,
	'a tree name follows the model-name rule (22023)');
SELECT throws_ok($$SELECT inventree_perms.register_tree('t1', 'sco.nopk')$$, '42P10', NULL,
	'a table without a primary key: 42P10');
SELECT throws_ok($$SELECT inventree_perms.register_tree('t1', 'sco.twopk')$$, '42P10', NULL,
	'a two-column primary key: 42P10');
SELECT throws_ok($$SELECT inventree_perms.register_tree('t1', 'sco.textpk')$$, '42P10', NULL,
	'a text primary key: 42P10');
SELECT throws_ok($$SELECT inventree_perms.register_tree('t1', 'sco.loc', 'nope')$$, '42703', NULL,
	'a missing parent column: 42703');
SELECT throws_ok($$SELECT inventree_perms.register_tree('t1', 'sco.loc', 'parent_id', 'nope')$$, '42703', NULL,
	'a missing owner column: 42703');
SELECT is((SELECT count(*) FROM inventree_perms.trees), 0::bigint, 'refused calls registered nothing');

SET ROLE sco_towner;
SELECT lives_ok($$SELECT inventree_perms.register_tree('loc', 'sco.loc', 'parent_id', 'owner_id')$$,
	'the owner, an administrator, registers a tree with owners');
RESET ROLE;
SELECT is((SELECT row(relation, parent_column, owner_column, key_column)::text FROM inventree_perms.trees
		   WHERE name = 'loc'), '(sco.loc,parent_id,owner_id,id)', 'the tree is recorded with its key column');
SELECT is((SELECT array_agg(tgname::text || ':' || tgenabled::text ORDER BY tgname) FROM pg_trigger
		   WHERE tgrelid = 'sco.loc'::regclass),
	'{inventree_perms_tree_deleted:A,inventree_perms_tree_invalidate:A,inventree_perms_tree_invalidate_truncate:A,inventree_perms_tree_truncated:A}',
	'its table gets the triggers that follow it, ENABLE ALWAYS');
SELECT lives_ok($$SELECT inventree_perms.register_tree('loc', 'sco.loc', 'parent_id', 'owner_id')$$,
	'register_tree is idempotent for the same arguments');
SELECT is(pg_temp.audits('register_tree'), 1::bigint, '... one audit row');
SELECT throws_ok($$SELECT inventree_perms.register_tree('loc', 'sco.loc')$$, '42710', NULL,
	'the same name with other arguments: 42710');
SELECT throws_ok($$SELECT inventree_perms.register_tree('loc2', 'sco.loc')$$, '42710', NULL,
	'a table already registered under another name: 42710');
SELECT lives_ok($$SELECT inventree_perms.register_tree('cat', 'sco.cat', 'parent')$$,
	'a PostgreSQL superuser registers a tree without owners (bigint key)');

-- owners ------------------------------------------------------------------------
SELECT throws_ok($$SELECT inventree_perms.set_owner(10)$$, '22023', NULL, 'set_owner with neither: 22023');
SELECT throws_ok($$SELECT inventree_perms.set_owner(10, 'sco_alice', 'team')$$, '22023', NULL,
	'set_owner with both: 22023');
SELECT throws_ok($$SELECT inventree_perms.set_owner(10, 'nobody')$$, '42704', NULL, 'an unknown user: 42704');
SELECT throws_ok($$SELECT inventree_perms.set_owner(10, groupname => 'nogroup')$$, '42704', NULL,
	'an unknown group: 42704');
SELECT throws_ok($$SELECT inventree_perms.set_owner(NULL, 'sco_alice')$$, '22004', NULL, 'a NULL owner id: 22004');
SELECT lives_ok($$SELECT inventree_perms.set_owner(10, groupname => 'other')$$, 'set_owner to a group');
SELECT lives_ok($$SELECT inventree_perms.set_owner(10, groupname => 'team')$$,
	'set_owner of an id in use changes what it stands for');
SELECT is((SELECT row(username, groupname)::text FROM inventree_perms.owners WHERE id = 10), '(,team)',
	'owner 10 stands for group team');
SELECT lives_ok($$SELECT inventree_perms.set_owner(10, groupname => 'team')$$, 'the same again: no error');
SELECT is(pg_temp.audits('set_owner'), 2::bigint, '... and no audit row');
SELECT inventree_perms.set_owner(11, 'sco_bob');
SELECT inventree_perms.set_owner(12, 'sco_gone');
SELECT inventree_perms.set_owner(99, 'sco_carol');
SELECT lives_ok($$SELECT inventree_perms.drop_owner(99)$$, 'drop_owner');
SELECT throws_ok($$SELECT inventree_perms.drop_owner(99)$$, '42704', NULL, 'drop_owner of an unknown id: 42704');
SELECT is(pg_temp.audits('drop_owner'), 1::bigint, 'drop_owner is audited');
SELECT inventree_perms.drop_user('sco_gone');
SELECT is((SELECT count(*) FROM inventree_perms.owners WHERE id = 12), 0::bigint,
	'an owner goes with its user');

-- scoped grants need a scoped model ------------------------------------------------
SELECT inventree_perms.register_model('item');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'view', 2)$$, '55000', NULL,
	'a scoped grant on a model that is not scoped: 55000');
SELECT throws_ok($$SELECT inventree_perms.revoke_user_scope('sco_alice', 'item', 'view', 2)$$, '55000', NULL,
	'... revoking too');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sco_alice', 'nomodel', 'view', 2)$$, '42704', NULL,
	'an unregistered model: 42704');

-- protect() with a tree and an owner column --------------------------------------------
SELECT throws_ok($$SELECT inventree_perms.protect('sco.item', 'item', NULL, 'loc')$$, '22023', NULL,
	'a table that is not the tree''s own needs scope_column (22023)');
SELECT throws_ok($$SELECT inventree_perms.protect('sco.item', 'item', 'nope', 'loc')$$, '42703', NULL,
	'a missing scope column: 42703');
SELECT throws_ok($$SELECT inventree_perms.protect('sco.item', 'item', 'location_id', 'notree')$$, '42704', NULL,
	'an unregistered tree: 42704');
SELECT throws_ok($$SELECT inventree_perms.protect('sco.item', 'item', 'location_id', 'loc', 'nope')$$, '42703', NULL,
	'a missing owner column: 42703');
SET ROLE sco_towner;
SELECT lives_ok($$SELECT inventree_perms.protect('sco.item', 'item', 'location_id', 'loc', 'owner_id')$$,
	'protect(item, scope_column, tree, owner_column) by the owner');
SELECT lives_ok($$SELECT inventree_perms.protect('sco.part', 'part', 'category_id', 'cat')$$,
	'protect(part) scoped by a tree without owners');
SELECT lives_ok($$SELECT inventree_perms.protect('sco.loc', 'loc', tree => 'loc')$$,
	'the tree''s own table: scope_column defaults to its primary key');
SELECT lives_ok($$SELECT inventree_perms.protect('sco.measure', 'measure', 'location_id', 'loc')$$,
	'a partitioned table scoped');
RESET ROLE;
SELECT is((SELECT row(tree, scope_column, owner_column)::text FROM inventree_perms.model_scopes WHERE model = 'loc'),
	'(loc,id,)', 'loc is scoped by its own key');
SELECT is((SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
		   WHERE polrelid = 'sco.measure_2024'::regclass AND polname = 'inventree_perms_select'),
	'inventree_perms_internal.scope_admits(''measure''::text, ''view''::text, (location_id)::bigint, ( SELECT inventree_perms.has_model_perm(''measure''::text, ''view''::text) AS has_model_perm), ( SELECT inventree_perms_internal.allowed_nodes(''measure''::text, ''view''::text) AS allowed_nodes))',
	'a partition gets the scoped policy of its parent');
SELECT ok((SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
		   WHERE polrelid = 'sco.item'::regclass AND polname = 'inventree_perms_select')
		  ~ '^inventree_perms_internal\.scope_admits\(.*, \( SELECT inventree_perms\.has_model_perm\(.*, \( SELECT inventree_perms_internal\.allowed_nodes\(',
	'the model-wide part and the allowed nodes of a policy are sub-SELECTs (InitPlans, once per statement)');

-- scoped grants -----------------------------------------------------------------------
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'view', 1000)$$, '42704', NULL,
	'granting within a node not in the tree: 42704');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'bogus', 2)$$, '22023', NULL,
	'an unknown action: 22023');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('nobody', 'item', 'view', 2)$$, '42704', NULL,
	'an unknown user: 42704');
SELECT throws_ok($$SELECT inventree_perms.grant_group_scope('nogroup', 'item', 'view', 2)$$, '42704', NULL,
	'an unknown group: 42704');
SELECT throws_ok($$SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'view', NULL)$$, '22004', NULL,
	'a NULL node: 22004');
SELECT lives_ok($$SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'view', 2)$$, 'grant_user_scope');
SELECT lives_ok($$SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'view', 2)$$, 'granting twice: no error');
SELECT is(pg_temp.audits('grant_user_scope'), 1::bigint, '... one audit row');
SELECT lives_ok($$SELECT inventree_perms.grant_group_scope('team', 'item', 'all', 4)$$, 'grant_group_scope all');
SELECT is((SELECT array_agg(action ORDER BY action) FROM inventree_perms.group_scope_grants WHERE groupname = 'team'),
	'{add,change,delete,view}', '"all" grants the four actions');
SELECT inventree_perms.grant_user_perm('sco_bob', 'item', 'view');
SELECT inventree_perms.grant_user_scope('sco_bob', 'item', 'change', 1);
SELECT inventree_perms.grant_user_scope('sco_bob', 'loc', 'view', 7);
SELECT inventree_perms.grant_user_scope('sco_carol', 'part', 'view', 2);
SELECT inventree_perms.grant_user_scope('sco_carol', 'measure', 'view', 2);
SELECT inventree_perms.grant_user_scope('sco_idle', 'item', 'view', 1);

-- has_row_perm: has_model_perm's order, then within the node, then ownership -------------
SELECT is(inventree_perms.has_row_perm(NULL, 'item', 'view', 1), NULL, 'NULL username: NULL');
SELECT is(inventree_perms.has_row_perm('sco_alice', NULL, 'view', 1), NULL, 'NULL model: NULL');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', NULL, 1), NULL, 'NULL action: NULL');
SELECT throws_ok($$SELECT inventree_perms.has_row_perm('sco_alice', 'nomodel', 'bogus', 1)$$, '22023', NULL,
	'an unknown action before an unregistered model: 22023');
SELECT throws_ok($$SELECT inventree_perms.has_row_perm('nobody', 'nomodel', 'view', 1)$$, '42704', NULL,
	'an unregistered model: 42704 (even for an unknown user)');
SELECT is(inventree_perms.has_row_perm('nobody', 'item', 'view', 2), false, 'an unknown user: false');
SELECT is(inventree_perms.has_row_perm('sco_idle', 'item', 'view', 2), false, 'an inactive user: false, whatever it holds');
SELECT is(inventree_perms.has_row_perm('sco_super', 'item', 'delete', 9, 98), true,
	'an active superuser: true, owners or not');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'VIEW', 3), true,
	'within the node: a descendant of a granted node (any letter case)');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', 1), false, 'not above it');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', NULL), false, 'a NULL node: model-wide only');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'item', 'view', NULL), true, '... which bob holds');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'item', 'view', 123456), true, 'an unknown node: model-wide still counts');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', 123456), false, 'an unknown node: within nothing');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'item', 'change', 3), true, 'bob may change within 1');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'item', 'change', 5), false,
	'... but not where the nearest owned node (4) is owned by a group he is not in');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'item', 'change', 5, 11), true,
	'the row''s own owner (bob) counts before the node''s');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'item', 'view', 5), true, 'ownership never restricts view');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'change', 5), true, 'a group owner covers its members');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'change', 9), false,
	'an owner id that stands for nobody covers nobody; the walk up stops there');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'delete', 5, 11), false,
	'a non-NULL owner is the row''s own, whatever its node');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'user', 'view', NULL, 11), false,
	'... whatever the model (no permission: false)');
SELECT inventree_perms.grant_user_perm('sco_carol', 'user', 'view');
SELECT is(inventree_perms.has_row_perm('sco_carol', 'user', 'change', NULL, 11), false,
	'an unscoped model: a non-NULL owner still counts for change (and carol lacks change)');
SELECT inventree_perms.grant_user_perm('sco_carol', 'user', 'delete');
SELECT is(inventree_perms.has_row_perm('sco_carol', 'user', 'delete', NULL, 11), false,
	'model-wide delete, but the owner (bob) does not cover carol');
SELECT is(inventree_perms.has_row_perm('sco_carol', 'user', 'delete', NULL, NULL), true,
	'... and without an owner she may');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'loc', 'view', 8), true,
	'a node on a cycle counts as a root: its subtree is within it (and the check ends)');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'loc', 'view', 6), false, '... and not its parent on the cycle (a root too)');
SELECT is(inventree_perms.has_row_perm('sco_bob', 'loc', 'view', 7), true, '... the node itself');

-- the tables ---------------------------------------------------------------------------------
SELECT is(pg_temp.seen('sco_alice'), '{2,3,4,5,6,9,11}', 'alice sees the items within 2 and 4 (owners never restrict view)');
SELECT is(pg_temp.changeable('sco_alice'), '{4,5}',
	'alice changes within 4 what team owns (the nearest owned node): not bob''s item 6, not 9 (owned by nobody), not team''s 11 outside her scope');
SELECT is(pg_temp.seen('sco_bob'), '{1,2,3,4,5,6,7,8,9,10,11}', 'bob sees every item (model-wide)');
SELECT is(pg_temp.changeable('sco_bob'), '{1,2,3,6}',
	'bob changes within 1 where no other owner rules: his own item 6, not the NULL node, not outside');
SELECT is(pg_temp.seen('sco_carol'), '{}', 'carol sees nothing');
SELECT is(pg_temp.seen('sco_super'), '{1,2,3,4,5,6,7,8,9,10,11}', 'an active superuser sees everything');
SELECT is(pg_temp.changeable('sco_super'), '{1,2,3,4,5,6,7,8,9,10,11}',
	'... and changes everything, owned by nobody included');
SET ROLE sco_carol;
SELECT is((SELECT array_agg(id ORDER BY id) FROM sco.part), '{2}', 'part: carol sees the parts within category 2');
SELECT is((SELECT array_agg(id ORDER BY id) FROM sco.measure_2024), '{1}',
	'a partition named directly answers as its parent');
RESET ROLE;

-- UPDATE checks the new row too
SET ROLE sco_alice;
SELECT throws_ok($$UPDATE sco.item SET location_id = 2 WHERE id = 4$$, '42501', NULL,
	'moving a row to a node where alice may not change is refused');
SELECT throws_ok($$INSERT INTO sco.item VALUES (20, 3, NULL)$$, '42501', NULL,
	'adding outside the scope is refused');
SELECT lives_ok($$INSERT INTO sco.item VALUES (20, 5, NULL)$$, 'adding within the scope, team''s node, works');
RESET ROLE;
SET ROLE sco_bob;
SELECT throws_ok($$UPDATE sco.item SET location_id = 4 WHERE id = 2$$, '42501', NULL,
	'moving a row to another owner''s node is refused');
RESET ROLE;

-- trees followed live (this session's next statement) ----------------------------------------
UPDATE sco.loc SET parent_id = 2 WHERE id = 4;
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', 5), true, 'a moved subtree: still within 4');
SELECT is(pg_temp.seen('sco_alice'), '{2,3,4,5,6,9,11,20}', '... and now within 2 as well');
SELECT is(pg_temp.changeable('sco_alice'), '{4,5,20}', 'after the move alice still changes within 4');
UPDATE sco.loc SET owner_id = 11 WHERE id = 4;
SELECT is(pg_temp.changeable('sco_alice'), '{}', 're-owned to bob: alice changes nothing below 4 any more');
INSERT INTO sco.loc VALUES (30, 3, NULL, 'new');
INSERT INTO sco.item VALUES (30, 30, NULL);
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', 30), true, 'a node added below counts at once');

-- deleting a node removes the scoped grants on it (audited); nodes below keep theirs
SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'view', 5);
DELETE FROM sco.loc WHERE id = 4;
SELECT is((SELECT array_agg(node ORDER BY node) FROM inventree_perms.group_scope_grants WHERE groupname = 'team'), NULL,
	'the grants on a deleted node are gone');
SELECT is((SELECT array_agg(node ORDER BY node) FROM inventree_perms.user_scope_grants WHERE username = 'sco_alice'),
	'{2,5}', 'the node below keeps its own grant');
SELECT is(pg_temp.audits('node_deleted'), 4::bigint, 'one audit row per removed grant');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', 5), true, 'node 5 (a root now) still within 5');

-- a node given another id is gone under its old id: the grants on that id
-- go too, so none passes to a later node with the old id
INSERT INTO sco.loc VALUES (40, NULL, NULL, 'k');
SELECT inventree_perms.grant_user_scope('sco_alice', 'item', 'view', 40);
UPDATE sco.loc SET id = 41 WHERE id = 40;
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants WHERE node = 40), 0::bigint,
	'a node given another id: the grants on its old id are gone');
INSERT INTO sco.loc VALUES (40, NULL, NULL, 'later');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', 40), false,
	'... and a later node with the old id is not within them');
UPDATE sco.loc SET id = id, name = 'b2' WHERE id = 2;
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants WHERE username = 'sco_alice' AND node = 2), 1::bigint,
	'an update that keeps the id keeps the grants');

-- user_scopes ----------------------------------------------------------------------------------
SELECT is((SELECT array_agg(row(model, action, tree, node, via)::text ORDER BY model, node) FROM inventree_perms.user_scopes('sco_alice')),
	'{"(item,view,loc,2,user)","(item,view,loc,5,user)"}', 'user_scopes of alice');
SELECT inventree_perms.grant_group_scope('team', 'item', 'change', 3);
SELECT is((SELECT count(*) FROM inventree_perms.user_scopes('sco_alice') WHERE via = 'group:team'), 1::bigint,
	'a group''s scoped grant shows via group:team');
SET ROLE sco_carol;
SELECT throws_ok($$SELECT * FROM inventree_perms.user_scopes('sco_alice')$$, '42501', NULL,
	'another user''s scopes: administrators only');
SELECT is((SELECT array_agg(node) FROM inventree_perms.user_scopes()), '{2,2}', 'carol sees her own (part and measure)');
RESET ROLE;

-- unregister_tree, unprotect ---------------------------------------------------------------------
SELECT throws_ok($$SELECT inventree_perms.unregister_tree('loc')$$, '2BP01', NULL,
	'unregister_tree of a tree a protected table is scoped by: 2BP01');
SELECT throws_ok($$SELECT inventree_perms.unregister_tree('nope')$$, '42704', NULL, 'an unknown tree: 42704');
SELECT lives_ok($$SELECT inventree_perms.unprotect('sco.part')$$, 'unprotect part');
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants WHERE model = 'part'), 1::bigint,
	'unprotect() keeps the scoped grants');
SELECT is(inventree_perms.has_row_perm('sco_carol', 'part', 'view', 2), false, '... which do not count while unscoped');
SELECT is((SELECT count(*) FROM inventree_perms.user_scopes('sco_carol') WHERE model = 'part'), 0::bigint,
	'... nor show in user_scopes');
SELECT throws_ok($$SELECT inventree_perms.revoke_user_scope('sco_carol', 'part', 'view', 2)$$, '55000', NULL,
	'revoking on a model that is no longer scoped: 55000');
SELECT inventree_perms.protect('sco.part', 'part', 'category_id', 'cat');
SELECT is(inventree_perms.has_row_perm('sco_carol', 'part', 'view', 2), true, 'protected with the same tree: they count again');
SELECT lives_ok($$SELECT inventree_perms.revoke_user_scope('sco_carol', 'part', 'view', 999)$$,
	'revoking within a node that does not exist works (nothing to revoke: no error)');
SELECT inventree_perms.unprotect('sco.part');
SELECT lives_ok($$SELECT inventree_perms.unregister_tree('cat')$$, 'unregister_tree once nothing is scoped by it');
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants WHERE tree = 'cat'), 0::bigint,
	'... removes its scoped grants');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'sco.cat'::regclass), 0::bigint,
	'... and its triggers');

-- TRUNCATE of the tree's table removes all its scoped grants
TRUNCATE sco.loc;
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants WHERE tree = 'loc')
		  + (SELECT count(*) FROM inventree_perms.group_scope_grants WHERE tree = 'loc'), 0::bigint,
	'TRUNCATE of the tree''s table removes its scoped grants');
SELECT is(inventree_perms.has_row_perm('sco_alice', 'item', 'view', 2), false, '... and its nodes');

SELECT * FROM finish();
ROLLBACK;
