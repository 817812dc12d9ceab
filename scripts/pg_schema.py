"""Throwaway PostgreSQL schemas for fault runs and benchmarks (Python stdlib + the psql client).

A cameo database URL is `postgres://user[:password]@host[:port]/db[?schema=NAME&pool=N]`;
`schema` and `pool` are cameo's own query items, so psql gets the URL without them and the
schema through `SET search_path`.
"""
import secrets, subprocess, urllib.parse

def with_schema(url, prefix):
    """Returns (url with schema=<prefix>_<random>, that schema name); other query items stay."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "schema"]
    name = f"{prefix}_{secrets.token_hex(4)}"
    query.append(("schema", name))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query))), name

def psql(url, sql):
    """Runs `sql` (one or more statements) with psql in url's database and schema; returns stdout."""
    parts = urllib.parse.urlsplit(url)
    schema = dict(urllib.parse.parse_qsl(parts.query)).get("schema")
    plain = urllib.parse.urlunsplit(parts._replace(query=""))
    prefix = f'SET search_path TO "{schema}"; ' if schema else ""
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", plain, "-c", prefix + sql],
                          check=True, capture_output=True, text=True).stdout

def create(url, name):
    psql(_without_schema(url), f'CREATE SCHEMA "{name}"')

def drop(url, name):
    psql(_without_schema(url), f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

def mark_all_verified(url):
    """Marks every subject's likeness verified, in the table and in the consent event log the
    nodes replay (verification is Identity's job, through liveness and face matching; fault runs
    and benchmarks only need verified subjects). Run it while no node is writing."""
    psql(url, """
        UPDATE consent_subjects SET likeness = 'verified';
        INSERT INTO consent_events(type, body)
        SELECT 'subject_upserted', convert_to(json_build_object(
                   'type', 'subject_upserted', 'subject', id,
                   'status', json_build_object('likeness', 'verified', 'suspended', suspended <> 0))::text, 'UTF8')
        FROM consent_subjects ORDER BY id""")

def _without_schema(url):
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "schema"]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
