"""Runs queries in a Python duckdb, read-only: {"db": path, "queries": [sql, ...]} on stdin, one
{"columns", "types", "rows"} or {"error"} per query on stdout (tests/old_clients.py). Uses only the
API that DuckDB 1.4 and 2.0 share: connect(read_only=True), execute().fetchall(), description."""

import datetime
import decimal
import json
import sys

import duckdb


def plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
    return value


def main() -> None:
    job = json.load(sys.stdin)
    con = duckdb.connect(job["db"], read_only=True)
    results = []
    for sql in job["queries"]:
        try:
            cur = con.execute(sql)
            rows = cur.fetchall()
            results.append({"columns": [d[0] for d in cur.description], "types": [str(d[1]) for d in cur.description],
                            "rows": [[plain(v) for v in row] for row in rows]})
        except duckdb.Error as exc:
            results.append({"error": str(exc)})
    con.close()
    json.dump({"version": duckdb.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
