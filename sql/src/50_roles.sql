-- ---------------------------------------------------------------------------
-- Roles: InvenTree's rulesets.  A group holds, per role, four flags; a role
-- covers several models.  Flags stay monotone, as InvenTree saves a ruleset.
-- ---------------------------------------------------------------------------

CREATE FUNCTION inventree_perms_internal._create_role(role text, label text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('create roles');
	PERFORM inventree_perms_internal._check_name('role', role);
	IF EXISTS (SELECT 1 FROM inventree_perms.roles r WHERE r.name OPERATOR(pg_catalog.=) role) THEN
		RAISE EXCEPTION 'role "%" already exists', role
			USING ERRCODE = 'duplicate_object';
	END IF;
	INSERT INTO inventree_perms.roles (name, label) VALUES (role, label);
	PERFORM inventree_perms_internal._log('create_role', role, pg_catalog.jsonb_build_object('label', label));
END;
$$;
CREATE FUNCTION inventree_perms.create_role(role text, label text DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.create_role(text, text) IS
	'Create a role (a set of models a group can be given flags on); administrators only';

CREATE FUNCTION inventree_perms_internal._drop_role(role text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('drop roles');
	PERFORM inventree_perms_internal._require_role(role);
	DELETE FROM inventree_perms.roles r WHERE r.name OPERATOR(pg_catalog.=) role;
	PERFORM inventree_perms_internal._log('drop_role', role);
END;
$$;
CREATE FUNCTION inventree_perms.drop_role(role text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.drop_role(text) IS
	'Drop a role with its model list and the role flags of every group; administrators only';

CREATE FUNCTION inventree_perms_internal._add_model_to_role(role text, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('change roles');
	PERFORM inventree_perms_internal._require_role(role);
	PERFORM inventree_perms_internal._require_model(model);
	INSERT INTO inventree_perms.role_models (role, model) VALUES (role, model)
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('add_model_to_role', role,
			pg_catalog.jsonb_build_object('model', model));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.add_model_to_role(role text, model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.add_model_to_role(text, text) IS
	'Make a role cover a model; administrators only';

CREATE FUNCTION inventree_perms_internal._remove_model_from_role(role text, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('change roles');
	PERFORM inventree_perms_internal._require_role(role);
	PERFORM inventree_perms_internal._require_model(model);
	DELETE FROM inventree_perms.role_models rm
	WHERE rm.role OPERATOR(pg_catalog.=) _remove_model_from_role.role
	  AND rm.model OPERATOR(pg_catalog.=) _remove_model_from_role.model;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('remove_model_from_role', role,
			pg_catalog.jsonb_build_object('model', model));
	END IF;
END;
$$;
CREATE FUNCTION inventree_perms.remove_model_from_role(role text, model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.remove_model_from_role(text, text) IS
	'Stop a role from covering a model; administrators only';

-- The flags a grant sets and a revoke clears, by InvenTree's monotone rule.
CREATE FUNCTION inventree_perms_internal._role_flags(action text, granting boolean)
RETURNS text[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	acts text[] := inventree_perms_internal._actions(action, true);
BEGIN
	IF pg_catalog.array_length(acts, 1) OPERATOR(pg_catalog.>) 1 THEN
		RETURN acts;			-- all
	END IF;
	IF granting THEN
		RETURN CASE acts[1]
			WHEN 'view' THEN '{view}'
			WHEN 'change' THEN '{view,change}'
			WHEN 'add' THEN '{view,change,add}'
			ELSE '{view,change,delete}' END;
	END IF;
	RETURN CASE acts[1]
		WHEN 'view' THEN '{view,add,change,delete}'
		WHEN 'change' THEN '{add,change,delete}'
		WHEN 'add' THEN '{add}'
		ELSE '{delete}' END;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._role_flags(text, boolean) IS
	'Internal: the role flags that granting (or revoking) an action sets (or clears)';

CREATE FUNCTION inventree_perms_internal._grant_group_role(groupname text, role text, action text)
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
CREATE FUNCTION inventree_perms.grant_group_role(groupname text, role text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.grant_group_role(text, text, text) IS
	'Set a role flag of a group (add or delete also set change; any action sets view)';

CREATE FUNCTION inventree_perms_internal._revoke_group_role(groupname text, role text, action text)
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
CREATE FUNCTION inventree_perms.revoke_group_role(groupname text, role text, action text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.revoke_group_role(text, text, text) IS
	'Clear a role flag of a group (revoking view clears all; revoking change clears add and delete)';


-- Change inheritance (InvenTree's RULESET_CHANGE_INHERIT): a group holding a
-- role's change flag holds every action on the inheriting model.
CREATE FUNCTION inventree_perms_internal._add_change_inherit(role text, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('change roles');
	PERFORM inventree_perms_internal._require_role(role);
	PERFORM inventree_perms_internal._require_model(model);
	INSERT INTO inventree_perms.role_change_inherits (role, model) VALUES (role, model)
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('add_change_inherit', role,
			pg_catalog.jsonb_build_object('model', model));
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._add_change_inherit(text, text) IS
	'Internal: the implementation of add_change_inherit(), called by the gate';
CREATE FUNCTION inventree_perms.add_change_inherit(role text, model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.add_change_inherit(text, text) IS
	'Make the role''s change flag give every action (view, add, change, delete) on the model; administrators only (42501); unknown role or model: 42704; already there: no-op';

CREATE FUNCTION inventree_perms_internal._remove_change_inherit(role text, model text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM inventree_perms_internal._require_admin('change roles');
	PERFORM inventree_perms_internal._require_role(role);
	PERFORM inventree_perms_internal._require_model(model);
	DELETE FROM inventree_perms.role_change_inherits ci
	WHERE ci.role OPERATOR(pg_catalog.=) _remove_change_inherit.role
	  AND ci.model OPERATOR(pg_catalog.=) _remove_change_inherit.model;
	IF FOUND THEN
		PERFORM inventree_perms_internal._log('remove_change_inherit', role,
			pg_catalog.jsonb_build_object('model', model));
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._remove_change_inherit(text, text) IS
	'Internal: the implementation of remove_change_inherit(), called by the gate';
CREATE FUNCTION inventree_perms.remove_change_inherit(role text, model text)
RETURNS void AS 'MODULE_PATHNAME', 'ip_gate' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION inventree_perms.remove_change_inherit(text, text) IS
	'Stop the role''s change flag from giving every action on the model (a catalogue pair removed stays removed through pg_dump/pg_restore); administrators only (42501); unknown role or model: 42704; not there: no-op';
