-- scopes_data.sql -- the row-scope benchmark's tables, tree, users and
-- grants (run by test/bench/scopes.sh before test/bench/scopes.sql, which
-- measures them after a restart of the server).
\set QUIET 1
\pset pager off
SET client_min_messages = warning;
CREATE EXTENSION inventree_perms;
CREATE SCHEMA bs;

-- a 10,000-node tree of depth 8 (a ternary tree: node i's parent is
-- (i - 2) / 3 + 1), every 20th node owned by one of 50 groups
CREATE TABLE bs.loc (id int PRIMARY KEY, parent_id int, owner_id bigint);
INSERT INTO bs.loc SELECT i, CASE WHEN i > 1 THEN (i - 2) / 3 + 1 END, CASE WHEN i % 20 = 7 THEN i % 50 END
  FROM generate_series(1, 10000) i;
-- 1,000,000 rows scoped by it and owned (a tenth with an owner of their own)
CREATE TABLE bs.item (id int PRIMARY KEY, location_id int, owner_id bigint);
INSERT INTO bs.item SELECT i, 1 + (hashint4(i) & 2147483647) % 10000, CASE WHEN i % 10 = 0 THEN i % 50 END
  FROM generate_series(1, 1000000) i;
CREATE INDEX ON bs.item (location_id);
-- the floor: the same rows behind a policy that costs nothing
CREATE TABLE bs.floor (LIKE bs.item);
INSERT INTO bs.floor SELECT * FROM bs.item;
ALTER TABLE bs.floor ENABLE ROW LEVEL SECURITY;
CREATE POLICY f ON bs.floor USING ((SELECT true));
-- a 100,000-node tree for the first check of a new session
CREATE TABLE bs.big (id int PRIMARY KEY, parent_id int);
INSERT INTO bs.big SELECT i, CASE WHEN i > 1 THEN (i - 2) / 3 + 1 END FROM generate_series(1, 100000) i;
CREATE TABLE bs.bigitem (id int PRIMARY KEY, node_id int);
VACUUM ANALYZE bs.loc; VACUUM ANALYZE bs.item; VACUUM ANALYZE bs.floor; VACUUM ANALYZE bs.big;

CREATE ROLE bs_scoped; CREATE ROLE bs_wide; CREATE ROLE bs_small; CREATE ROLE bs_broad;
GRANT USAGE ON SCHEMA bs TO bs_scoped, bs_wide, bs_small, bs_broad;
GRANT SELECT ON ALL TABLES IN SCHEMA bs TO bs_scoped, bs_wide, bs_small, bs_broad;
SELECT count(inventree_perms.create_user(u)) FROM unnest('{bs_scoped,bs_wide,bs_small,bs_broad}'::text[]) u;
SELECT count(inventree_perms.create_group('g' || i)) FROM generate_series(1, 50) i;
SELECT count(inventree_perms.set_owner(i, groupname => 'g' || (i + 1))) FROM generate_series(0, 49) i;
SELECT inventree_perms.add_user_to_group('bs_scoped', 'g1');
SELECT inventree_perms.register_tree('loc', 'bs.loc', 'parent_id', 'owner_id');
SELECT inventree_perms.protect('bs.item', 'item', 'location_id', 'loc', 'owner_id');
SELECT inventree_perms.register_tree('big', 'bs.big');
SELECT inventree_perms.protect('bs.bigitem', 'bigitem', 'node_id', 'big');
SELECT inventree_perms.grant_user_perm('bs_wide', 'item', 'view');
-- about 20 scoped grants: 10 nodes, view and change
SELECT count(inventree_perms.grant_user_scope('bs_scoped', 'item', a, 100 + i * 397))
  FROM generate_series(1, 10) i, unnest('{view,change}'::text[]) a;
SELECT inventree_perms.grant_user_scope('bs_scoped', 'bigitem', 'view', 5);
-- about 1 % of the rows: a subtree of 121 nodes
SELECT inventree_perms.grant_user_scope('bs_small', 'item', 'view', 122);
-- about 20 scoped grants over a third of the tree: 10 subtrees of 364 nodes, view and change
SELECT count(inventree_perms.grant_user_scope('bs_broad', 'item', a, n))
  FROM generate_series(14, 23) n, unnest('{view,change}'::text[]) a;

-- has_row_perm's calls: 1,000,000 rows of (user, node), the user a column
-- (a constant-only qual would be evaluated once, as a one-time filter)
CREATE TABLE bs.calls AS SELECT 'bs_scoped'::text AS u, (n % 10000)::bigint AS node FROM generate_series(1, 1000000) n;
VACUUM ANALYZE bs.calls;
