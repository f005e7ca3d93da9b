// bench/analysis's DuckDB reference: loads the sales CSV the sqlite3 shell exported (not timed), then
// times the same four GROUP BY queries as the sqlite3 reference (best of two runs) and prints
// "name seconds" lines. Run with `node analysis_duckdb.mjs SALES.csv TODAY CUT90 FROM TO` from a
// folder where `npm install @duckdb/node-api` succeeded.
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, today, cut90, from, to] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`CREATE TABLE sales AS SELECT * FROM read_csv('${csv}', header = false, columns = {
  'id': 'BIGINT', 'customer_id': 'BIGINT', 'sold_at': 'BIGINT', 'total_cents': 'BIGINT', 'cancelled_at': 'BIGINT'})`);

// Store-local days at São Paulo's fixed UTC-3, as the sqlite3 reference counts them.
const queries = {
  matrix: `SELECT f, r, count(*) FROM (
      SELECT CASE WHEN n <= 1 THEN 0 WHEN n <= 3 THEN 1 ELSE 2 END AS f,
             CASE WHEN d <= 30 THEN 0 WHEN d <= 90 THEN 1 ELSE 2 END AS r
      FROM (SELECT count(*) AS n, ${today} - (max(sold_at) - 10800) // 86400 AS d FROM sales
            WHERE customer_id IS NOT NULL AND cancelled_at IS NULL GROUP BY customer_id)) GROUP BY f, r`,
  rfm: `SELECT r, f, m, count(*) FROM (
      SELECT ntile(5) OVER (ORDER BY l) AS r, ntile(5) OVER (ORDER BY n) AS f, ntile(5) OVER (ORDER BY t) AS m
      FROM (SELECT count(*) AS n, sum(total_cents) AS t, max(sold_at) AS l FROM sales
            WHERE customer_id IS NOT NULL AND cancelled_at IS NULL GROUP BY customer_id)) GROUP BY r, f, m`,
  segment: `SELECT count(*) FROM (SELECT sum(CASE WHEN sold_at >= ${cut90} THEN 1 ELSE 0 END) AS recent,
      sum(total_cents) AS total FROM sales WHERE customer_id IS NOT NULL AND cancelled_at IS NULL
      GROUP BY customer_id) WHERE recent >= 2 AND total >= 50000`,
  kpis: `SELECT m.month, m.orders, m.revenue, m.buyers, coalesce(n.new_customers, 0) FROM
      (SELECT strftime(to_timestamp(sold_at - 10800), '%Y-%m') AS month, count(*) AS orders,
              sum(total_cents) AS revenue, count(DISTINCT customer_id) AS buyers
       FROM sales WHERE cancelled_at IS NULL AND sold_at >= ${from} AND sold_at < ${to} GROUP BY month) m
      LEFT JOIN (SELECT strftime(to_timestamp(first - 10800), '%Y-%m') AS month, count(*) AS new_customers
                 FROM (SELECT min(sold_at) AS first FROM sales WHERE customer_id IS NOT NULL AND cancelled_at IS NULL
                       GROUP BY customer_id) GROUP BY month) n ON n.month = m.month ORDER BY m.month`,
};

for (const [name, sql] of Object.entries(queries)) {
  let best = Infinity;
  for (let i = 0; i < 2; ++i) {
    const start = process.hrtime.bigint();
    await con.runAndReadAll(sql);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  console.log(`${name} ${best.toFixed(4)}`);
}
