-- scopes_oracle.sql: has_row_perm against a recursive-CTE oracle, for every
-- (user, node, action) on random trees (cycles and dangling parents
-- included), random owners, memberships, model-wide and scoped grants;
-- again after random moves and re-owns (the tree followed live), and with a
-- row's own owner.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET jit = off;	-- the oracle's estimates are huge: compiling it would cost seconds
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;
SELECT setseed(0.4242);

CREATE SCHEMA orc;
CREATE TABLE orc.node (id int PRIMARY KEY, parent_id int, owner_id bigint);
CREATE TABLE orc.thing (id int PRIMARY KEY, node_id int, owner_id bigint);

-- 300 nodes: mostly a forest (parent < id), some dangling parents, some
-- links up to larger ids (cycles); owners 1..8 (8 stands for nobody) on a
-- tenth of them
INSERT INTO orc.node
SELECT i,
	   CASE WHEN random() < 0.05 THEN NULL
			WHEN random() < 0.03 THEN 1000 + i					-- dangling
			WHEN random() < 0.06 THEN 1 + floor(random() * 300)::int	-- anywhere: cycles
			WHEN i > 1 THEN 1 + floor(random() * (i - 1))::int END,
	   CASE WHEN random() < 0.1 THEN 1 + floor(random() * 8)::bigint END
  FROM generate_series(1, 300) i;
INSERT INTO orc.node VALUES (301, 302, NULL), (302, 301, 3), (303, 303, NULL), (304, 303, NULL);	-- sure cycles

DO $$
BEGIN
	FOR i IN 1..8 LOOP
		PERFORM inventree_perms.create_user('ou' || i);
	END LOOP;
	PERFORM inventree_perms.create_user('ou_super', true);
	PERFORM inventree_perms.create_user('ou_idle', false, false);
	FOR i IN 1..4 LOOP
		PERFORM inventree_perms.create_group('og' || i);
	END LOOP;
	PERFORM inventree_perms.register_tree('onode', 'orc.node', 'parent_id', 'owner_id');
	PERFORM inventree_perms.protect('orc.thing', 'thing', 'node_id', 'onode', 'owner_id');
	-- owners 1..4: users ou1..ou4; 5..7: groups og1..og3; 8: nobody
	FOR i IN 1..4 LOOP
		PERFORM inventree_perms.set_owner(i, 'ou' || i);
	END LOOP;
	FOR i IN 5..7 LOOP
		PERFORM inventree_perms.set_owner(i, groupname => 'og' || (i - 4));
	END LOOP;
END $$;
SELECT inventree_perms.add_user_to_group(u, g)
  FROM (SELECT 'ou' || u AS u, 'og' || g AS g FROM generate_series(1, 8) u, generate_series(1, 4) g
		 WHERE random() < 0.35) x;
SELECT inventree_perms.add_user_to_group('ou_idle', 'og1');
SELECT inventree_perms.grant_user_perm('ou' || u, 'thing', a)
  FROM generate_series(1, 8) u, unnest('{view,add,change,delete}'::text[]) a WHERE random() < 0.12;
SELECT inventree_perms.grant_user_scope('ou' || u, 'thing', a, n)
  FROM generate_series(1, 8) u, unnest('{view,add,change,delete}'::text[]) a, generate_series(1, 304) n
 WHERE random() < 0.01;
SELECT inventree_perms.grant_group_scope('og' || g, 'thing', a, n)
  FROM generate_series(1, 4) g, unnest('{view,add,change,delete}'::text[]) a, generate_series(1, 304) n
 WHERE random() < 0.008;
SELECT inventree_perms.grant_user_scope('ou_idle', 'thing', 'view', 1);

-- The oracle, from the tables alone.
CREATE FUNCTION pg_temp.oracle(row_owner_of_node boolean)
RETURNS TABLE (username text, action text, node int, answer boolean) LANGUAGE sql AS $$
	WITH RECURSIVE
	nodes AS (SELECT id, parent_id, owner_id FROM orc.node),
	walk(start, cur) AS (
		SELECT n.id, n.parent_id FROM nodes n WHERE n.parent_id IS NOT NULL
	  UNION ALL
		SELECT w.start, n.parent_id FROM walk w JOIN nodes n ON n.id = w.cur
		 WHERE n.parent_id IS NOT NULL AND w.cur <> w.start
	) CYCLE cur SET looped USING path,
	on_cycle AS (SELECT DISTINCT start AS id FROM walk WHERE cur = start),
	eparent AS (
		SELECT n.id, CASE WHEN c.id IS NULL AND EXISTS (SELECT 1 FROM nodes p WHERE p.id = n.parent_id)
						  THEN n.parent_id END AS parent_id
		  FROM nodes n LEFT JOIN on_cycle c ON c.id = n.id),
	anc(id, a, dist) AS (
		SELECT id, id, 0 FROM eparent
	  UNION ALL
		SELECT anc.id, e.parent_id, anc.dist + 1 FROM anc JOIN eparent e ON e.id = anc.a
		 WHERE e.parent_id IS NOT NULL),
	eff_owner AS (
		SELECT DISTINCT ON (anc.id) anc.id, n.owner_id
		  FROM anc JOIN nodes n ON n.id = anc.a
		 WHERE n.owner_id IS NOT NULL
		 ORDER BY anc.id, anc.dist),
	users AS (SELECT name, is_superuser, is_active FROM inventree_perms.users WHERE name ~ '^ou'),
	acts(action) AS (VALUES ('view'), ('add'), ('change'), ('delete')),
	member AS (SELECT username, groupname FROM inventree_perms.memberships),
	modelwide AS (
		SELECT username, action FROM inventree_perms.user_perms WHERE model = 'thing'
	  UNION SELECT m.username, g.action FROM inventree_perms.group_perms g JOIN member m USING (groupname)
		 WHERE g.model = 'thing'),
	granted AS (
		SELECT username, action, node FROM inventree_perms.user_scope_grants WHERE model = 'thing'
	  UNION SELECT m.username, g.action, g.node FROM inventree_perms.group_scope_grants g JOIN member m USING (groupname)
		 WHERE g.model = 'thing'),
	covers AS (
		SELECT o.id, o.username FROM inventree_perms.owners o WHERE o.username IS NOT NULL
	  UNION SELECT o.id, m.username FROM inventree_perms.owners o JOIN member m ON m.groupname = o.groupname),
	scoped AS (SELECT DISTINCT g.username, g.action, anc.id FROM granted g JOIN anc ON anc.a = g.node),
	rowowner AS (
		SELECT n.id, coalesce(CASE WHEN row_owner_of_node THEN (n.id % 9)::bigint END, e.owner_id) AS owner
		  FROM nodes n LEFT JOIN eff_owner e ON e.id = n.id)
	SELECT u.name, a.action, r.id,
		   CASE WHEN NOT u.is_active THEN false
				WHEN u.is_superuser THEN true
				ELSE (w.username IS NOT NULL OR s.username IS NOT NULL)
					 AND (a.action = 'view' OR r.owner IS NULL OR c.username IS NOT NULL) END
	  FROM users u CROSS JOIN acts a CROSS JOIN rowowner r
	  LEFT JOIN modelwide w ON w.username = u.name AND w.action = a.action
	  LEFT JOIN scoped s ON s.username = u.name AND s.action = a.action AND s.id = r.id
	  LEFT JOIN covers c ON c.id = r.owner AND c.username = u.name
$$;
CREATE FUNCTION pg_temp.mismatches(row_owner_of_node boolean) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM pg_temp.oracle(row_owner_of_node) o
	 WHERE o.answer IS DISTINCT FROM inventree_perms.has_row_perm(o.username, 'thing', o.action, o.node::bigint,
							CASE WHEN row_owner_of_node THEN (o.node % 9)::bigint END);
$$;

-- the same with model and action as constants of the call (what a policy
-- passes: the call remembers its statement entry), users and nodes varying
CREATE FUNCTION pg_temp.mismatches_const() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM pg_temp.oracle(false) o
	 WHERE o.answer IS DISTINCT FROM CASE o.action
		WHEN 'view' THEN inventree_perms.has_row_perm(o.username, 'thing', 'view', o.node::bigint)
		WHEN 'add' THEN inventree_perms.has_row_perm(o.username, 'thing', 'add', o.node::bigint)
		WHEN 'change' THEN inventree_perms.has_row_perm(o.username, 'thing', 'change', o.node::bigint)
		ELSE inventree_perms.has_row_perm(o.username, 'thing', 'delete', o.node::bigint) END;
$$;

SELECT plan(12);

SELECT is((SELECT count(*) FROM pg_temp.oracle(false)), 10::bigint * 4 * 304, 'the oracle answers every (user, node, action)');
SELECT cmp_ok((SELECT count(*) FROM pg_temp.oracle(false) WHERE answer), '>', 100::bigint,
	'... and admits a fair share (the random fixture is not empty)');
SELECT is(pg_temp.mismatches(false), 0::bigint, 'has_row_perm equals the oracle on every (user, node, action)');
SELECT is(pg_temp.mismatches(true), 0::bigint, '... also with a row''s own owner');
SELECT is(pg_temp.mismatches_const(), 0::bigint, '... also with model and action as constants of the call');

-- the tree changes: moves (new cycles too), re-owns, deletes, additions
UPDATE orc.node SET parent_id = 1 + floor(random() * 304)::int WHERE random() < 0.1;
UPDATE orc.node SET owner_id = CASE WHEN random() < 0.5 THEN 1 + floor(random() * 8)::bigint END WHERE random() < 0.1;
DELETE FROM orc.node WHERE id IN (SELECT id FROM orc.node WHERE random() < 0.03);
INSERT INTO orc.node SELECT i, 1 + floor(random() * 300)::int, NULL FROM generate_series(305, 320) i;
SELECT is((SELECT count(*) FROM inventree_perms.user_scope_grants g
		   WHERE NOT EXISTS (SELECT 1 FROM orc.node n WHERE n.id = g.node)), 0::bigint,
	'no scoped grant is left on a deleted node');
SELECT is(pg_temp.mismatches(false), 0::bigint, 'after random moves, re-owns, deletes and additions: equal again');
SELECT is(pg_temp.mismatches(true), 0::bigint, '... also with a row''s own owner');

-- members and owners change
SELECT inventree_perms.remove_user_from_group(username, groupname)
  FROM inventree_perms.memberships WHERE random() < 0.3;
SELECT inventree_perms.set_owner(5, 'ou8');
SELECT inventree_perms.drop_owner(2);
SELECT is(pg_temp.mismatches(false), 0::bigint, 'after memberships and owners change: equal again');

-- sparse ids, negative ones too (the tree is then hashed, not an array by
-- id): the nodes are deleted (their grants go) and come back with new ids,
-- new grants on them
CREATE TEMP TABLE old_nodes AS SELECT * FROM orc.node;
DELETE FROM orc.node;
INSERT INTO orc.node SELECT id * 1000003 - 200000000, parent_id * 1000003 - 200000000, owner_id FROM old_nodes;
SELECT inventree_perms.grant_user_scope('ou' || u, 'thing', a, n.id)
  FROM generate_series(1, 8) u, unnest('{view,add,change,delete}'::text[]) a, orc.node n
 WHERE random() < 0.01;
SELECT inventree_perms.grant_group_scope('og' || g, 'thing', a, n.id)
  FROM generate_series(1, 4) g, unnest('{view,add,change,delete}'::text[]) a, orc.node n
 WHERE random() < 0.008;
SELECT is(pg_temp.mismatches(false), 0::bigint, 'sparse and negative ids: equal again');
SELECT is(pg_temp.mismatches_const(), 0::bigint, '... also with model and action as constants of the call');
SELECT is(pg_temp.mismatches(true), 0::bigint, '... also with a row''s own owner');

SELECT * FROM finish();
ROLLBACK;
