// node-postgres through the Countersign proxy: node query.cjs PORT USER PASSWORD SQL [PARAM...]
// Prints one JSON line: {rows, command, rowCount, notices} or {error: SQLSTATE, message, notices}.
const { Client } = require('pg');
const [port, user, password, sql, ...params] = process.argv.slice(2);
const client = new Client({ host: '127.0.0.1', port: Number(port), user, password, database: 'app' });
const notices = [];
client.on('notice', (notice) => notices.push(notice.message));
(async () => {
  await client.connect();
  try {
    const result = params.length ? await client.query(sql, params) : await client.query(sql);
    const rows = result.rows.map((row) => Object.values(row).map(String).join('|'));
    console.log(JSON.stringify({ rows, command: result.command, rowCount: result.rowCount, notices }));
  } catch (e) {
    console.log(JSON.stringify({ error: e.code, message: e.message, notices }));
  }
  await client.end();
})().catch((e) => {
  console.log(JSON.stringify({ error: 'connect', message: e.message }));
  process.exit(2);
});
