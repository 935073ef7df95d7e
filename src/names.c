/*-------------------------------------------------------------------------
 *
 * names.c
 *	  The SPEC's rules for actions and names, in one place.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "inventree_perms.h"

PG_FUNCTION_INFO_V1(ip_actions);
PG_FUNCTION_INFO_V1(ip_check_name_sql);

#define MAX_USER_NAME_CHARS 150
#define MAX_MODEL_NAME_BYTES 63

/*
 * ip_parse_action: the action bits a user-supplied action word stands for.
 * view, add, change (or edit), delete in any letter case; "all" only where
 * allow_all (grant and revoke).  Anything else is 22023.
 */
int
ip_parse_action(const char *s, int len, bool allow_all)
{
	if (len == 4 && pg_strncasecmp(s, "view", 4) == 0)
		return IP_VIEW;
	if (len == 3 && pg_strncasecmp(s, "add", 3) == 0)
		return IP_ADD;
	if (len == 6 && pg_strncasecmp(s, "change", 6) == 0)
		return IP_CHANGE;
	if (len == 4 && pg_strncasecmp(s, "edit", 4) == 0)
		return IP_CHANGE;
	if (len == 6 && pg_strncasecmp(s, "delete", 6) == 0)
		return IP_DELETE;
	if (allow_all && len == 3 && pg_strncasecmp(s, "all", 3) == 0)
		return IP_ALL;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized action \"%s\"", pnstrdup(s, len)),
			 allow_all ?
			 errhint("Valid actions are \"view\", \"add\", \"change\" (or \"edit\"), \"delete\" and \"all\".") :
			 errhint("Valid actions are \"view\", \"add\", \"change\" (or \"edit\") and \"delete\".")));
	return 0;					/* keep compiler quiet */
}

/*
 * ip_action_bit_of_stored: the bit of an action as stored in the tables
 * (always one of the four canonical words, enforced by a CHECK constraint).
 */
int
ip_action_bit_of_stored(const char *s, int len)
{
	switch (len > 0 ? s[0] : '\0')
	{
		case 'v':
			return IP_VIEW;
		case 'a':
			return IP_ADD;
		case 'c':
			return IP_CHANGE;
		case 'd':
			return IP_DELETE;
	}
	return 0;
}

/* Unicode white space (Django strips these from the ends of names). */
static bool
is_unicode_space(pg_wchar c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 ||
		c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
		c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

static bool
is_control(pg_wchar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/*
 * ip_check_name: raise 22023 unless name is a valid name of its kind.
 *
 * Users and groups: what Django allows, 1 to 150 characters, no leading or
 * trailing white space, no control characters.  Models and roles:
 * ^[a-z][a-z0-9_.]{0,62}$.
 */
void
ip_check_name(const char *kind, const char *name, int len)
{
	if (strcmp(kind, "model") == 0 || strcmp(kind, "role") == 0)
	{
		bool		ok = len >= 1 && len <= MAX_MODEL_NAME_BYTES &&
			name[0] >= 'a' && name[0] <= 'z';

		for (int i = 1; ok && i < len; i++)
		{
			char		c = name[i];

			ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				c == '_' || c == '.';
		}
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s name \"%s\"", kind, pnstrdup(name, len)),
					 errdetail("A %s name is a lower-case letter followed by up to 62 lower-case letters, digits, underscores or dots.",
							   kind)));
		return;
	}

	if (strcmp(kind, "user") != 0 && strcmp(kind, "group") != 0)
		elog(ERROR, "unrecognized kind of name \"%s\"", kind);

	{
		pg_wchar   *chars = palloc((len + 1) * sizeof(pg_wchar));
		int			nchars = pg_mb2wchar_with_len(name, chars, len);
		const char *problem = NULL;

		if (nchars == 0)
			problem = "It is empty.";
		else if (nchars > MAX_USER_NAME_CHARS)
			problem = "It is longer than 150 characters.";
		else if (is_unicode_space(chars[0]) || is_unicode_space(chars[nchars - 1]))
			problem = "It begins or ends with white space.";
		else
		{
			for (int i = 0; i < nchars; i++)
			{
				if (is_control(chars[i]))
				{
					problem = "It contains a control character.";
					break;
				}
			}
		}
		pfree(chars);

		if (problem)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s name \"%s\"", kind, pnstrdup(name, len)),
					 errdetail("%s", problem),
					 errhint("A %s name has 1 to 150 characters, none of them a control character, and neither begins nor ends with white space.",
							 kind)));
	}
}

/*
 * _actions(action text, allow_all boolean) returns text[]: the canonical
 * actions an action word stands for, in the order view, add, change, delete.
 */
Datum
ip_actions(PG_FUNCTION_ARGS)
{
	static const char *const words[] = {"view", "add", "change", "delete"};
	text	   *action;
	int			bits;
	Datum		elems[4];
	int			n = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("action must not be null")));
	action = PG_GETARG_TEXT_PP(0);
	bits = ip_parse_action(VARDATA_ANY(action), VARSIZE_ANY_EXHDR(action),
						   PG_GETARG_BOOL(1));
	for (int i = 0; i < 4; i++)
		if (bits & (1 << i))
			elems[n++] = CStringGetTextDatum(words[i]);

	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * _check_name(kind text, name text): SQL face of ip_check_name.
 */
Datum
ip_check_name_sql(PG_FUNCTION_ARGS)
{
	char	   *kind;
	text	   *name;

	if (PG_ARGISNULL(0))
		elog(ERROR, "kind of name must not be null");
	kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s name must not be null", kind)));
	name = PG_GETARG_TEXT_PP(1);
	ip_check_name(kind, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	PG_RETURN_VOID();
}
