-- ---------------------------------------------------------------------------
-- Enforcing, 1.1 -> 1.2, before the functions (70_protect.sql is
-- sql/src/70_protect.sql itself): protected.root, and protect()'s new
-- signature (1.2 adds scope_column, tree and owner_column).
-- ---------------------------------------------------------------------------

ALTER TABLE inventree_perms.protected ADD COLUMN root regclass;
COMMENT ON TABLE inventree_perms.protected IS
	'Tables protect() has put policies on, and what it changed to do so; root: the table whose protect() call it was (itself, or a table it is or was a partition or child of; NULL: itself)';
UPDATE inventree_perms.protected p SET root = p.relation;

DROP FUNCTION inventree_perms.protect(regclass, text);
DROP FUNCTION inventree_perms_internal._protect(regclass, text);
