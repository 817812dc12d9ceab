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

def _without_schema(url):
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "schema"]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
