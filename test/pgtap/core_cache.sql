-- core_cache.sql -- the per-backend cache under volume: thousands of users
-- with names of every length (multibyte too), groups, 9,000 models, a user
-- whose grants alone are larger than an arena block's share, role flags,
-- open models, inactive users and superusers.  Every answer must equal the
-- one computed in plain SQL from the tables, in table order and shuffled,
-- with the default bound and with a bound so small that the cache is
-- emptied again and again inside one statement.  (test/sanitize.sh runs this
-- file under valgrind: the arena's block boundaries are crossed many times.)
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(13);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

-- the number a user's name starts with (NULL for 'big')
CREATE FUNCTION pg_temp.num(name text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN name ~ '^[0-9]+-' THEN split_part(name, '-', 1)::int END
$$;

-- the data, by direct INSERTs (a superuser may; the triggers still invalidate)
INSERT INTO inventree_perms.models (name, is_open)
	SELECT 'cm' || m, m % 1000 = 7 FROM generate_series(0, 8999) m;
INSERT INTO inventree_perms.users (name, is_superuser, is_active)
	SELECT i || '-' || repeat(CASE WHEN i % 2 = 0 THEN 'ä' ELSE 'x' END, i % 140),
		   i % 97 = 0, i % 89 <> 0
	  FROM generate_series(1, 4000) i;
INSERT INTO inventree_perms.users (name) VALUES ('big');
INSERT INTO inventree_perms.groups (name) SELECT 'cg' || g FROM generate_series(0, 59) g;
INSERT INTO inventree_perms.memberships (username, groupname)
	SELECT DISTINCT u.name, 'cg' || g
	  FROM inventree_perms.users u, LATERAL (SELECT pg_temp.num(u.name) AS i) n,
		   LATERAL (VALUES (n.i % 60), ((n.i * 7) % 60), ((n.i * 11) % 60)) k(g)
	 WHERE u.name <> 'big' AND (k.g <> (n.i * 11) % 60 OR n.i % 3 = 0);
INSERT INTO inventree_perms.group_perms (groupname, model, action)
	SELECT 'cg' || g, 'cm' || ((g * 37 + k * 41) % 9000),
		   (ARRAY['view', 'add', 'change', 'delete'])[(g + k) % 4 + 1]
	  FROM generate_series(0, 59) g, generate_series(0, 199) k
	ON CONFLICT DO NOTHING;
INSERT INTO inventree_perms.user_perms (username, model, action)
	SELECT u.name, 'cm' || ((n.i * 13 + k * 31) % 9000),
		   (ARRAY['view', 'add', 'change', 'delete'])[(n.i + k) % 4 + 1]
	  FROM inventree_perms.users u, LATERAL (SELECT pg_temp.num(u.name) AS i) n,
		   generate_series(0, 7) k
	 WHERE u.name <> 'big' AND k <= n.i % 8
	ON CONFLICT DO NOTHING;
-- 9,000 grants of one user: 36 kB of grants, more than an arena block's share
INSERT INTO inventree_perms.user_perms (username, model, action)
	SELECT 'big', 'cm' || m, 'view' FROM generate_series(0, 8999) m;
INSERT INTO inventree_perms.role_models (role, model)
	SELECT 'part', 'cm' || m FROM generate_series(5, 8999, 500) m;
INSERT INTO inventree_perms.group_roles (groupname, role, action)
	SELECT 'cg' || g, 'part', a FROM generate_series(0, 59, 7) g, unnest(ARRAY['view', 'change']) a;

-- the truth, in SQL
CREATE FUNCTION pg_temp.truth(u text, m text, a text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (
		SELECT 1 FROM inventree_perms.users x
		 WHERE x.name = u AND x.is_active AND (
			x.is_superuser
			OR EXISTS (SELECT 1 FROM inventree_perms.models mm WHERE mm.name = m AND mm.is_open)
			OR EXISTS (SELECT 1 FROM inventree_perms.user_perms p
						WHERE p.username = u AND p.model = m AND p.action = a)
			OR EXISTS (SELECT 1 FROM inventree_perms.memberships ms
						 JOIN inventree_perms.group_perms gp ON gp.groupname = ms.groupname
						WHERE ms.username = u AND gp.model = m AND gp.action = a)
			OR EXISTS (SELECT 1 FROM inventree_perms.memberships ms
						 JOIN inventree_perms.group_roles gr ON gr.groupname = ms.groupname
						 JOIN inventree_perms.role_models rm ON rm.role = gr.role
						WHERE ms.username = u AND rm.model = m AND gr.action = a)))
$$;

-- the calls: per user, a model its first group holds, one it holds itself,
-- one of the role, an open one and one at random; plus unknown users
CREATE TEMP TABLE calls AS
SELECT row_number() OVER () AS n, c.* FROM (
	SELECT u.name AS u, 'cm' || ((((n.i % 60) * 37) % 9000)) AS m,
		   (ARRAY['view', 'add', 'change', 'delete'])[(n.i % 60) % 4 + 1] AS a
	  FROM inventree_perms.users u, LATERAL (SELECT pg_temp.num(u.name) AS i) n WHERE u.name <> 'big'
	UNION ALL
	SELECT u.name, 'cm' || ((n.i * 13) % 9000), (ARRAY['view', 'add', 'change', 'delete'])[n.i % 4 + 1]
	  FROM inventree_perms.users u, LATERAL (SELECT pg_temp.num(u.name) AS i) n WHERE u.name <> 'big'
	UNION ALL
	SELECT u.name, 'cm' || (5 + 500 * (n.i % 18)), (ARRAY['view', 'change', 'delete'])[n.i % 3 + 1]
	  FROM inventree_perms.users u, LATERAL (SELECT pg_temp.num(u.name) AS i) n WHERE u.name <> 'big'
	UNION ALL
	SELECT u.name, 'cm' || (1000 * (n.i % 9) + 7), 'delete'
	  FROM inventree_perms.users u, LATERAL (SELECT pg_temp.num(u.name) AS i) n WHERE u.name <> 'big'
	UNION ALL
	SELECT u.name, 'cm' || ((n.i * 7919) % 9000), (ARRAY['view', 'add', 'change', 'delete'])[n.i % 4 + 1]
	  FROM inventree_perms.users u, LATERAL (SELECT pg_temp.num(u.name) AS i) n WHERE u.name <> 'big'
	UNION ALL
	SELECT 'big', 'cm' || m, a FROM generate_series(0, 8999, 37) m, unnest(ARRAY['view', 'add']) a
	UNION ALL
	SELECT 'nobody-' || i, 'cm' || i, 'view' FROM generate_series(1, 50) i
) c;
ALTER TABLE calls ADD COLUMN expected boolean;
UPDATE calls SET expected = pg_temp.truth(u, m, a);

-- the fixture is what it claims to be
SELECT ok((SELECT count(*) FROM calls WHERE expected) > 2000 AND (SELECT count(*) FROM calls WHERE NOT expected) > 2000,
		  'the calls hold thousands of granted and of refused checks');
SELECT ok((SELECT max(length(name)) FROM inventree_perms.users) >= 140
		  AND (SELECT count(*) FROM inventree_perms.users WHERE octet_length(name) > length(name)) > 1000,
		  'names from 3 to 144 characters, multibyte ones among them');

-- 1. default bound: the whole world in the cache
SELECT is((SELECT count(*) FROM calls WHERE inventree_perms.has_model_perm(u, m, a) IS DISTINCT FROM expected),
		  0::bigint, 'every answer equals the SQL truth (table order, cold cache)');
SELECT resets AS resets_warm FROM inventree_perms_internal._cache_stats() \gset
SELECT is((SELECT count(*) FROM (SELECT * FROM calls ORDER BY hashint8(n)) c
			WHERE inventree_perms.has_model_perm(c.u, c.m, c.a) IS DISTINCT FROM c.expected),
		  0::bigint, '... shuffled, warm cache');
SELECT ok((SELECT entries FROM inventree_perms_internal._cache_stats()) >=
		  (SELECT count(*) FROM inventree_perms.users) + (SELECT count(*) FROM inventree_perms.models),
		  'the cache holds every user and every model (no bound reached)');
SELECT is((SELECT resets FROM inventree_perms_internal._cache_stats()) - :resets_warm, 0::bigint,
		  '... and was never emptied during the shuffled pass (no thrashing)');
SELECT ok((SELECT bytes FROM inventree_perms_internal._cache_stats()) > 1024 * 1024,
		  'the cache spans several arena blocks (over 1 MB)');
SELECT is(inventree_perms.has_model_perm('big', 'cm8999', 'view'), true, 'the user with 9,000 grants: the last one');
SELECT is(inventree_perms.has_model_perm('big', 'cm0', 'view'), true, '... the first one');
SELECT is(inventree_perms.has_model_perm('big', 'cm4500', 'add'), false, '... and nothing it was not given');

-- 2. the smallest bound: emptied at almost every check (one call in 100:
-- each check then rebuilds a user, its groups and their models)
SELECT resets AS resets_before FROM inventree_perms_internal._cache_stats() \gset
SET inventree_perms.cache_size = 16;
SELECT is((SELECT count(*) FROM (SELECT * FROM calls WHERE n % 100 = 3 OFFSET 0) c
			WHERE inventree_perms.has_model_perm(c.u, c.m, c.a) IS DISTINCT FROM c.expected),
		  0::bigint, 'cache_size = 16: every answer still equals the SQL truth (200 calls)');
SELECT cmp_ok((SELECT resets FROM inventree_perms_internal._cache_stats()) - :resets_before, '>=', 100::bigint,
		  '... the cache was emptied and refilled at least once per 2 of the 200 checks');
RESET inventree_perms.cache_size;

-- 3. a change in the middle: the next statement sees it
UPDATE inventree_perms.users SET is_active = NOT is_active WHERE pg_temp.num(name) % 5 = 0;
UPDATE calls SET expected = pg_temp.truth(u, m, a);
SELECT is((SELECT count(*) FROM calls WHERE inventree_perms.has_model_perm(u, m, a) IS DISTINCT FROM expected),
		  0::bigint, 'after 800 users changed activity: every answer equals the SQL truth');

SELECT * FROM finish();
ROLLBACK;
