/*
 * inventree_perms 1.1 -> 1.2 -- upgrade script.
 *
 * Assembled by the Makefile from the parts in sql/upgrade/1.1--1.2, in name
 * order; each part holds the upgrade of one concern and mirrors what the
 * install parts in sql/src changed for it.  test/shell/upgrade.sh requires an
 * updated extension to equal a fresh install object by object.
 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION inventree_perms UPDATE TO '1.2'" to load this file. \quit
