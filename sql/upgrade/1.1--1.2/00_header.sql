/*
 * inventree_perms 1.1 -> 1.2 -- upgrade script.
 *
 * Assembled by the Makefile from the parts in sql/upgrade/1.1--1.2, in name
 * order.  A part whose text a fresh install runs as it is (new in 1.2, or
 * functions written CREATE OR REPLACE) is a link to that part of sql/src;
 * the other parts hold only what differs from a fresh install (columns
 * added to 1.1's tables, functions whose arguments changed, 1.1's objects
 * moved or converted).  test/shell/upgrade.sh requires an updated extension
 * to equal a fresh install object by object.
 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION inventree_perms UPDATE TO '1.2'" to load this file. \quit
