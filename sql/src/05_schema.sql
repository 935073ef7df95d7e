-- ---------------------------------------------------------------------------
-- The internal schema.
--
-- The schema inventree_perms holds the API: the functions, tables and view
-- the reference documents, and nothing else, so that \df inventree_perms.*
-- is the API.  The implementations of the management functions (each
-- "_<name>" beside its C gate "<name>"), the helpers and the trigger
-- functions live in inventree_perms_internal: created and owned by the
-- extension (it goes with DROP EXTENSION), on nobody's search_path, closed to
-- PUBLIC.  The C code finds it only as a member of this extension.
-- ---------------------------------------------------------------------------

CREATE SCHEMA inventree_perms_internal;
COMMENT ON SCHEMA inventree_perms_internal IS
	'Internal to the extension inventree_perms: implementations, helpers and trigger functions; not an API';
