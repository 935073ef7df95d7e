-- ---------------------------------------------------------------------------
-- Functions implemented in C.
-- ---------------------------------------------------------------------------

-- The checks: the hot path, called from row-level-security policies.
CREATE FUNCTION inventree_perms.has_model_perm(username text, model text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_model_perm'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_model_perm(text, text, text) IS
	'Does the user hold the action (view, add, change/edit, delete) on the model?';

CREATE FUNCTION inventree_perms.has_model_perm(model text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_model_perm_acting'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_model_perm(text, text) IS
	'Does the acting user hold the action on the model?';

CREATE FUNCTION inventree_perms.has_role_perm(username text, role text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_role_perm'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_role_perm(text, text, text) IS
	'Does one of the user''s groups hold this role flag (InvenTree''s check_user_role)?';

CREATE FUNCTION inventree_perms.has_role_perm(role text, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ip_has_role_perm_acting'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.has_role_perm(text, text) IS
	'Does one of the acting user''s groups hold this role flag?';

-- The acting user.
CREATE FUNCTION inventree_perms.acting_user()
RETURNS text
AS 'MODULE_PATHNAME', 'ip_acting_user_sql'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION inventree_perms.acting_user() IS
	'The user whose permissions apply now: the one set by set_acting_user(), else current_user';

CREATE FUNCTION inventree_perms.set_acting_user(username text, is_local boolean DEFAULT true)
RETURNS void
AS 'MODULE_PATHNAME', 'ip_set_acting_user'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION inventree_perms.set_acting_user(text, boolean) IS
	'Act for an application user, to the end of the transaction (is_local) or of the session; superusers and delegates only';

CREATE FUNCTION inventree_perms.reset_acting_user()
RETURNS void
AS 'MODULE_PATHNAME', 'ip_reset_acting_user'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION inventree_perms.reset_acting_user() IS
	'Stop acting for an application user: acting_user() is current_user again';

-- Internal: the trigger that tells every backend's cache that a table changed.
CREATE FUNCTION inventree_perms_internal._invalidate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ip_invalidate'
LANGUAGE C;
COMMENT ON FUNCTION inventree_perms_internal._invalidate() IS
	'Internal trigger: invalidates the permission caches of every session at commit';

-- Internal: the write guard on every table of the extension (src/guard.c).
CREATE FUNCTION inventree_perms_internal._guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ip_guard'
LANGUAGE C;
COMMENT ON FUNCTION inventree_perms_internal._guard() IS
	'Internal trigger: refuses (42501) a write to the extension''s tables unless the current user is a PostgreSQL superuser or the extension''s owner (whose functions write them)';

-- Internal: who called the management function being run.
CREATE FUNCTION inventree_perms_internal._caller()
RETURNS oid
AS 'MODULE_PATHNAME', 'ip_caller'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms_internal._caller() IS
	'Internal: the role that called the management function now running';

CREATE FUNCTION inventree_perms_internal._caller_acting()
RETURNS text
AS 'MODULE_PATHNAME', 'ip_caller_acting'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms_internal._caller_acting() IS
	'Internal: the acting user of the caller of the management function now running';

-- Internal: the SPEC's rules for names and actions, in one place.
CREATE FUNCTION inventree_perms_internal._check_name(kind text, name text)
RETURNS void
AS 'MODULE_PATHNAME', 'ip_check_name_sql'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms_internal._check_name(text, text) IS
	'Internal: raise 22023 unless name is a valid user, group, model or role name';

CREATE FUNCTION inventree_perms_internal._actions(action text, allow_all boolean)
RETURNS text[]
AS 'MODULE_PATHNAME', 'ip_actions'
LANGUAGE C STABLE;
COMMENT ON FUNCTION inventree_perms_internal._actions(text, boolean) IS
	'Internal: the canonical actions an action word stands for; 22023 if unknown';

-- Internal: what this session's permission cache holds (benchmarks, tests).
CREATE FUNCTION inventree_perms_internal._cache_stats(OUT entries bigint, OUT bytes bigint, OUT cache_size bigint,
	OUT resets bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'ip_cache_stats'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms_internal._cache_stats() IS
	'Internal: entries and bytes of this session''s permission cache, its bound, and how many times it was (re)filled';

