/*
 * inventree_perms 1.0 -- install script.
 *
 * Assembled by the Makefile from the parts in sql/src, in name order; each part holds
 * one concern.  Every name is schema-qualified; every SECURITY DEFINER
 * function pins search_path.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION inventree_perms" to load this file. \quit

