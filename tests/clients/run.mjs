// Runs queries in the DuckDB Node client, read-only: {"db": path, "queries": [sql, ...]} on stdin,
// one {"columns", "rows"} or {"error"} per query on stdout (tests/old_clients.py).
import { DuckDBInstance, version } from '@duckdb/node-api';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const instance = await DuckDBInstance.create(job.db, { access_mode: 'READ_ONLY' });
const con = await instance.connect();
const results = [];
for (const sql of job.queries) {
  try {
    const reader = await con.runAndReadAll(sql);
    results.push({ columns: reader.columnNames(), rows: reader.getRowsJson() });
  } catch (err) {
    results.push({ error: String(err.message || err) });
  }
}
con.closeSync();
instance.closeSync();
process.stdout.write(JSON.stringify({ version: version(), results }));
