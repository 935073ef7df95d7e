/*
 * inventree_perms -- install script of the current version (see the .control file).
 *
 * Assembled by the Makefile from the parts in sql/src, in name order; each part holds
 * one concern.  Every name is schema-qualified; every SECURITY DEFINER
 * function pins search_path.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION inventree_perms" to load this file. \quit

