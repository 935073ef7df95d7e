-- ---------------------------------------------------------------------------
-- Core (1.1 -> 1.2): the write guard's function (99_api.sql puts it on every table), delegates that count
-- only while their role exists under the same name (and invalidate the
-- caches), 42501 before any argument check, the administrator rule read
-- from pg_roles (an owner without SUPERUSER cannot read pg_authid).
-- ---------------------------------------------------------------------------

-- delegates: the role's name beside its OID.
ALTER TABLE inventree_perms.delegates ADD COLUMN role_name name;
UPDATE inventree_perms.delegates d SET role_name = r.rolname
  FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) d.role::pg_catalog.oid;
COMMENT ON TABLE inventree_perms.delegates IS
	'Roles allowed to call set_acting_user(); a row counts only while its role exists under role_name';
COMMENT ON COLUMN inventree_perms.delegates.role_name IS
	'The role''s name when it was added: a dropped role''s OID taken by a new role, or a renamed role, does not count';

-- The write guard's trigger function.
CREATE FUNCTION inventree_perms_internal._guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ip_guard'
LANGUAGE C;
COMMENT ON FUNCTION inventree_perms_internal._guard() IS
	'Internal trigger: refuses (42501) a write to the extension''s tables unless the current user is a PostgreSQL superuser or the extension''s owner (whose functions write them)';
REVOKE ALL ON FUNCTION inventree_perms_internal._guard() FROM PUBLIC;


CREATE OR REPLACE FUNCTION inventree_perms_internal._is_pg_admin()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles a
				   WHERE a.oid OPERATOR(pg_catalog.=) inventree_perms_internal._caller() AND a.rolsuper)
		OR EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname OPERATOR(pg_catalog.=) 'inventree_perms'
					 AND e.extowner OPERATOR(pg_catalog.=) inventree_perms_internal._caller());
$$;
COMMENT ON FUNCTION inventree_perms_internal._is_pg_admin() IS
	'Internal: is the caller a PostgreSQL superuser or the extension''s owner?';

CREATE OR REPLACE FUNCTION inventree_perms_internal._grant_user_perm(username text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	added text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('grant permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._user(username);
	PERFORM inventree_perms_internal._require_model(model);
	WITH ins AS (
		INSERT INTO inventree_perms.user_perms (username, model, action)
		SELECT username, model, a FROM pg_catalog.unnest(acts) a
		ON CONFLICT DO NOTHING
		RETURNING user_perms.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('grant_user_perm', username,
			pg_catalog.jsonb_build_object('model', model, 'actions', added));
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._revoke_user_perm(username text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	removed text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('revoke permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._user(username);
	PERFORM inventree_perms_internal._require_model(model);
	WITH del AS (
		DELETE FROM inventree_perms.user_perms p
		WHERE p.username OPERATOR(pg_catalog.=) _revoke_user_perm.username
		  AND p.model OPERATOR(pg_catalog.=) _revoke_user_perm.model
		  AND p.action OPERATOR(pg_catalog.=) ANY (acts)
		RETURNING p.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('revoke_user_perm', username,
			pg_catalog.jsonb_build_object('model', model, 'actions', removed));
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._grant_group_perm(groupname text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	added text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('grant permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._require_group(groupname);
	PERFORM inventree_perms_internal._require_model(model);
	WITH ins AS (
		INSERT INTO inventree_perms.group_perms (groupname, model, action)
		SELECT groupname, model, a FROM pg_catalog.unnest(acts) a
		ON CONFLICT DO NOTHING
		RETURNING group_perms.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('grant_group_perm', groupname,
			pg_catalog.jsonb_build_object('model', model, 'actions', added));
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._revoke_group_perm(groupname text, model text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[];
	removed text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('revoke permissions');
	acts := inventree_perms_internal._actions(action, true);
	PERFORM inventree_perms_internal._require_group(groupname);
	PERFORM inventree_perms_internal._require_model(model);
	WITH del AS (
		DELETE FROM inventree_perms.group_perms p
		WHERE p.groupname OPERATOR(pg_catalog.=) _revoke_group_perm.groupname
		  AND p.model OPERATOR(pg_catalog.=) _revoke_group_perm.model
		  AND p.action OPERATOR(pg_catalog.=) ANY (acts)
		RETURNING p.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('revoke_group_perm', groupname,
			pg_catalog.jsonb_build_object('model', model, 'actions', removed));
	END IF;
END;
$$;

CREATE FUNCTION inventree_perms_internal._require_pg_admin(what text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT inventree_perms_internal._is_pg_admin() THEN
		RAISE EXCEPTION 'permission denied to %', what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only a PostgreSQL superuser or the extension''s owner may manage delegates.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._require_pg_admin(text) IS
	'Internal: raise 42501 unless the caller is a PostgreSQL superuser or the extension''s owner (who may manage delegates)';
REVOKE ALL ON FUNCTION inventree_perms_internal._require_pg_admin(text) FROM PUBLIC;

CREATE FUNCTION inventree_perms_internal._forget_dropped_delegates()
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone text;
BEGIN
	FOR gone IN
		DELETE FROM inventree_perms.delegates d
		 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
						   WHERE r.oid OPERATOR(pg_catalog.=) d.role::pg_catalog.oid
							 AND r.rolname OPERATOR(pg_catalog.=) d.role_name)
		RETURNING coalesce(d.role_name::text, d.role::pg_catalog.oid::text)
	LOOP
		PERFORM inventree_perms_internal._log('forget_delegate', gone,
			pg_catalog.jsonb_build_object('reason', 'role dropped or renamed'));
	END LOOP;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._forget_dropped_delegates() IS
	'Internal: remove (audited) delegate rows whose role was dropped or renamed; they no longer count anyway';
REVOKE ALL ON FUNCTION inventree_perms_internal._forget_dropped_delegates() FROM PUBLIC;

CREATE OR REPLACE FUNCTION inventree_perms_internal._add_delegate(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_pg_admin('add a delegate');
	PERFORM inventree_perms_internal._forget_dropped_delegates();
	-- The role's name is kept beside its OID: the row counts only while both
	-- match (there is no event trigger for DROP ROLE).  Adding a renamed
	-- delegate again takes its new name.
	INSERT INTO inventree_perms.delegates AS d (role, role_name)
	SELECT r.oid::pg_catalog.regrole, r.rolname FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) _add_delegate.role::pg_catalog.oid
	ON CONFLICT ON CONSTRAINT delegates_pkey DO UPDATE SET role_name = excluded.role_name
	 WHERE d.role_name IS DISTINCT FROM excluded.role_name;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('add_delegate', role::text);
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._remove_delegate(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_pg_admin('remove a delegate');
	PERFORM inventree_perms_internal._forget_dropped_delegates();
	DELETE FROM inventree_perms.delegates d WHERE d.role OPERATOR(pg_catalog.=) _remove_delegate.role;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('remove_delegate', role::text);
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._grant_group_role(groupname text, role text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	flags text[];
	added text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('grant roles');
	flags := inventree_perms_internal._role_flags(action, true);
	PERFORM inventree_perms_internal._require_group(groupname);
	PERFORM inventree_perms_internal._require_role(role);
	WITH ins AS (
		INSERT INTO inventree_perms.group_roles (groupname, role, action)
		SELECT groupname, role, f FROM pg_catalog.unnest(flags) f
		ON CONFLICT DO NOTHING
		RETURNING group_roles.action)
	SELECT pg_catalog.array_agg(ins.action) INTO added FROM ins;
	IF added IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('grant_group_role', groupname,
			pg_catalog.jsonb_build_object('role', role, 'actions', added));
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._revoke_group_role(groupname text, role text, action text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	flags text[];
	removed text[];
BEGIN
	PERFORM inventree_perms_internal._require_admin('revoke roles');
	flags := inventree_perms_internal._role_flags(action, false);
	PERFORM inventree_perms_internal._require_group(groupname);
	PERFORM inventree_perms_internal._require_role(role);
	WITH del AS (
		DELETE FROM inventree_perms.group_roles gr
		WHERE gr.groupname OPERATOR(pg_catalog.=) _revoke_group_role.groupname
		  AND gr.role OPERATOR(pg_catalog.=) _revoke_group_role.role
		  AND gr.action OPERATOR(pg_catalog.=) ANY (flags)
		RETURNING gr.action)
	SELECT pg_catalog.array_agg(del.action) INTO removed FROM del;
	IF removed IS NOT NULL THEN
		PERFORM inventree_perms_internal._log('revoke_group_role', groupname,
			pg_catalog.jsonb_build_object('role', role, 'actions', removed));
	END IF;
END;
$$;


-- A role that holds TRIGGER on one of the tables (GRANT ALL by mistake)
-- could hang its own function on them, to run as whoever writes them next:
-- the event trigger of sql/src/05_schema.sql (_guard_members) refuses every
-- trigger, index, rule and policy on them outside the extension's scripts.
