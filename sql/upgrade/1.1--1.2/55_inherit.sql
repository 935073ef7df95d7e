-- ---------------------------------------------------------------------------
-- Change inheritance (1.1 -> 1.2; InvenTree's RULESET_CHANGE_INHERIT): a
-- group holding a role's change flag holds every action on the inheriting
-- model.  The table, shipped with part -> part_bomitem, its management
-- functions, user_permissions()'s inherit:<role>@<group> rows, and the
-- catalogue-removal machinery extended to it.  Made as a fresh install makes
-- it: this part runs after the core part's loop put the write guard on the
-- tables that existed then, so the new table gets its triggers here.
-- ---------------------------------------------------------------------------

-- A removal mark may name a change inheritance.
ALTER TABLE inventree_perms.catalogue_removals DROP CONSTRAINT catalogue_removals_kind_check;
ALTER TABLE inventree_perms.catalogue_removals ADD CONSTRAINT catalogue_removals_kind_check
	CHECK (kind IN ('model', 'role', 'role_model', 'change_inherit'));

-- Change inheritance (1.2; InvenTree's RULESET_CHANGE_INHERIT): a group
-- holding the role's change flag holds every action on the model.
CREATE TABLE inventree_perms.role_change_inherits (
	role		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.roles (name) ON DELETE CASCADE ON UPDATE CASCADE,
	model		text COLLATE "C" NOT NULL
		REFERENCES inventree_perms.models (name) ON DELETE CASCADE ON UPDATE CASCADE,
	shipped		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (role, model)
);
CREATE INDEX role_change_inherits_model_idx ON inventree_perms.role_change_inherits (model);
COMMENT ON TABLE inventree_perms.role_change_inherits IS
	'Change inheritance: a group holding the role''s change flag holds every action (view, add, change, delete) on the model';

-- The shipped pair (data/inventree_change_inherits.csv), where the
-- catalogue's role and model are still there.  Where one of them was removed
-- (or removed and made again by hand), the pair is one that went with it: it
-- is marked removed, as a removal in 1.2 would have marked it, so that a
-- restore (CREATE EXTENSION loads the pair) removes it again.
WITH shipped(role, model) AS (
	VALUES ('part', 'part_bomitem')
), present AS (
	SELECT s.role, s.model,
		   EXISTS (SELECT 1 FROM inventree_perms.roles r
				   WHERE r.name OPERATOR(pg_catalog.=) s.role AND r.shipped)
		   AND EXISTS (SELECT 1 FROM inventree_perms.models m
					   WHERE m.name OPERATOR(pg_catalog.=) s.model AND m.shipped) AS ok
	FROM shipped s
), kept AS (
	INSERT INTO inventree_perms.role_change_inherits (role, model, shipped)
	SELECT p.role, p.model, true FROM present p WHERE p.ok
	RETURNING 1
)
INSERT INTO inventree_perms.catalogue_removals (kind, name, model)
SELECT 'change_inherit', p.role, p.model FROM present p WHERE NOT p.ok;

-- The catalogue-removal machinery, extended to role_change_inherits.
CREATE OR REPLACE FUNCTION inventree_perms_internal._upsert_shipped()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'models' THEN
		UPDATE inventree_perms.models m
		   SET relation = NEW.relation, description = NEW.description, is_open = NEW.is_open,
			   builtin = NEW.builtin, shipped = NEW.shipped, source = NEW.source
		 WHERE m.name OPERATOR(pg_catalog.=) NEW.name AND m.shipped;
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'roles' THEN
		UPDATE inventree_perms.roles r
		   SET label = NEW.label, shipped = NEW.shipped
		 WHERE r.name OPERATOR(pg_catalog.=) NEW.name AND r.shipped;
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'role_change_inherits' THEN
		UPDATE inventree_perms.role_change_inherits ci
		   SET shipped = NEW.shipped
		 WHERE ci.role OPERATOR(pg_catalog.=) NEW.role
		   AND ci.model OPERATOR(pg_catalog.=) NEW.model AND ci.shipped;
	ELSE
		PERFORM FROM inventree_perms.role_models rm
		 WHERE rm.role OPERATOR(pg_catalog.=) NEW.role
		   AND rm.model OPERATOR(pg_catalog.=) NEW.model AND rm.shipped;
	END IF;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._mark_removal()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k text;
	n text;
	m text := '';
BEGIN
	IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'models' THEN
		k := 'model';
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'roles' THEN
		k := 'role';
	ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'role_change_inherits' THEN
		k := 'change_inherit';
	ELSE
		k := 'role_model';
	END IF;
	IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
		IF NOT OLD.shipped THEN
			RETURN NULL;
		END IF;
		IF k OPERATOR(pg_catalog.=) ANY ('{role_model,change_inherit}') THEN
			n := OLD.role;
			m := OLD.model;
		ELSIF k OPERATOR(pg_catalog.=) 'model' THEN
			IF OLD.builtin THEN
				RETURN NULL;	-- the built-ins always exist: a restore brings them back
			END IF;
			n := OLD.name;
		ELSE
			n := OLD.name;
		END IF;
		INSERT INTO inventree_perms.catalogue_removals (kind, name, model) VALUES (k, n, m);
	ELSE
		IF k OPERATOR(pg_catalog.=) ANY ('{role_model,change_inherit}') THEN
			n := NEW.role;
			m := NEW.model;
		ELSE
			n := NEW.name;
		END IF;
		DELETE FROM inventree_perms.catalogue_removals r
		 WHERE r.kind OPERATOR(pg_catalog.=) k AND r.name OPERATOR(pg_catalog.=) n
		   AND r.model OPERATOR(pg_catalog.=) m;
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION inventree_perms_internal._apply_removal()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_WHEN OPERATOR(pg_catalog.=) 'BEFORE' THEN
		PERFORM FROM inventree_perms.catalogue_removals r
		 WHERE r.kind OPERATOR(pg_catalog.=) NEW.kind AND r.name OPERATOR(pg_catalog.=) NEW.name
		   AND r.model OPERATOR(pg_catalog.=) NEW.model;
		IF FOUND THEN
			RETURN NULL;
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.kind OPERATOR(pg_catalog.=) 'model' THEN
		DELETE FROM inventree_perms.models m
		 WHERE m.name OPERATOR(pg_catalog.=) NEW.name AND m.shipped AND NOT m.builtin;
	ELSIF NEW.kind OPERATOR(pg_catalog.=) 'role' THEN
		DELETE FROM inventree_perms.roles r
		 WHERE r.name OPERATOR(pg_catalog.=) NEW.name AND r.shipped;
	ELSIF NEW.kind OPERATOR(pg_catalog.=) 'change_inherit' THEN
		DELETE FROM inventree_perms.role_change_inherits ci
		 WHERE ci.role OPERATOR(pg_catalog.=) NEW.name AND ci.model OPERATOR(pg_catalog.=) NEW.model
		   AND ci.shipped;
	ELSE
		DELETE FROM inventree_perms.role_models rm
		 WHERE rm.role OPERATOR(pg_catalog.=) NEW.name AND rm.model OPERATOR(pg_catalog.=) NEW.model
		   AND rm.shipped;
	END IF;
	RETURN NULL;
END;
$$;

-- role_change_inherits' triggers, as sql/src/90_final.sql makes them (the
-- write guard and the invalidation: sql/src/95_api.sql, for every table).
CREATE TRIGGER inventree_perms_upsert BEFORE INSERT ON inventree_perms.role_change_inherits
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._upsert_shipped();
CREATE TRIGGER inventree_perms_mark_removal AFTER INSERT OR DELETE ON inventree_perms.role_change_inherits
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._mark_removal();

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

-- user_permissions(): inherit:<role>@<group> rows.
CREATE OR REPLACE FUNCTION inventree_perms_internal._user_permissions(username text)
RETURNS TABLE (model text, action text, via text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u inventree_perms.users;
BEGIN
	IF username OPERATOR(pg_catalog.<>) inventree_perms_internal._caller_acting() THEN
		PERFORM inventree_perms_internal._require_admin('see another user''s permissions');
	END IF;
	u := inventree_perms_internal._user(username);
	IF NOT u.is_active THEN
		RETURN;
	END IF;
	RETURN QUERY
	WITH acts(action, ord) AS (
		VALUES ('view'::text, 1), ('add', 2), ('change', 3), ('delete', 4)
	), ways(model, action, via, rank) AS (
		SELECT m.name::text, a.action, 'superuser'::text, 1
		FROM inventree_perms.models m, acts a
		WHERE u.is_superuser
	  UNION ALL
		SELECT m.name, a.action, 'open', 2
		FROM inventree_perms.models m, acts a
		WHERE m.is_open
	  UNION ALL
		SELECT p.model, p.action, 'user', 3
		FROM inventree_perms.user_perms p
		WHERE p.username OPERATOR(pg_catalog.=) u.name
	  UNION ALL
		SELECT p.model, p.action, 'group:' OPERATOR(pg_catalog.||) p.groupname, 4
		FROM inventree_perms.memberships g
		JOIN inventree_perms.group_perms p ON p.groupname OPERATOR(pg_catalog.=) g.groupname
		WHERE g.username OPERATOR(pg_catalog.=) u.name
	  UNION ALL
		SELECT rm.model, gr.action,
			   'role:' OPERATOR(pg_catalog.||) gr.role OPERATOR(pg_catalog.||) '@'
			   OPERATOR(pg_catalog.||) gr.groupname, 5
		FROM inventree_perms.memberships g
		JOIN inventree_perms.group_roles gr ON gr.groupname OPERATOR(pg_catalog.=) g.groupname
		JOIN inventree_perms.role_models rm ON rm.role OPERATOR(pg_catalog.=) gr.role
		WHERE g.username OPERATOR(pg_catalog.=) u.name
	  UNION ALL
		-- change inheritance: the role's change flag gives every action
		SELECT ci.model, a.action,
			   'inherit:' OPERATOR(pg_catalog.||) gr.role OPERATOR(pg_catalog.||) '@'
			   OPERATOR(pg_catalog.||) gr.groupname, 6
		FROM inventree_perms.memberships g
		JOIN inventree_perms.group_roles gr ON gr.groupname OPERATOR(pg_catalog.=) g.groupname
		JOIN inventree_perms.role_change_inherits ci ON ci.role OPERATOR(pg_catalog.=) gr.role
		CROSS JOIN acts a
		WHERE g.username OPERATOR(pg_catalog.=) u.name
		  AND gr.action OPERATOR(pg_catalog.=) 'change'
	)
	SELECT DISTINCT w.model, w.action, w.via
	FROM ways w JOIN acts a ON a.action OPERATOR(pg_catalog.=) w.action
	ORDER BY 1, 2, 3;
END;
$$;
COMMENT ON FUNCTION inventree_perms.user_permissions(text) IS
	'One row per effective permission of a user and per way it is held (superuser, open, user, group:G, role:R@G, inherit:R@G); for another user than the acting one, administrators only (42501); unknown user: 42704';

-- Privileges and pg_dump, as sql/src/90_final.sql gives them.
REVOKE ALL ON inventree_perms.role_change_inherits FROM PUBLIC;
REVOKE ALL ON FUNCTION inventree_perms_internal._add_change_inherit(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION inventree_perms_internal._remove_change_inherit(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION inventree_perms.add_change_inherit(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION inventree_perms.remove_change_inherit(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inventree_perms.add_change_inherit(text, text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION inventree_perms.remove_change_inherit(text, text) TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('inventree_perms.role_change_inherits', '');
