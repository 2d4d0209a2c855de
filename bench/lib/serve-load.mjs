/**
 * A load run against a running `arroy-ts serve`: `clients` loops searching
 * while one loop batch-inserts (each insert waiting for its build), for
 * `seconds`; then every acknowledged insert is looked up by its own vector.
 * Shared by bench/serve.mjs (30 s) and test/serve.test.ts (a few seconds).
 */

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * @param {object} o
 * @param {string} o.url        the collection's URL (…/v1/projects/P/collections/C)
 * @param {string} o.key        an API key of its project
 * @param {Float32Array} o.queries  rows of `dim` floats searched round-robin
 * @param {Float32Array} o.inserts  rows of `dim` floats to insert, as ids `${idPrefix}${row}`
 */
export async function runLoad({ url, key, dim, queries, inserts, idPrefix = 'new-', clients = 8, seconds = 30, batchSize = 100, k = 10 }) {
  const headers = { 'content-type': 'application/json', 'x-api-key': key };
  const post = (path, body) => fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const row = (matrix, i) => Array.from(matrix.subarray(i * dim, (i + 1) * dim));
  const queryCount = queries.length / dim;
  const insertCount = inserts.length / dim;
  const deadline = performance.now() + seconds * 1000;
  const errors = [];
  const searchLatencies = [];
  const insertLatencies = [];
  const acknowledged = [];
  const builds = new Set();
  let next = 0;

  const searcher = async () => {
    while (performance.now() < deadline) {
      const q = next++ % queryCount;
      const started = performance.now();
      try {
        const response = await post('/search', { vector: row(queries, q), k });
        const body = await response.json();
        if (response.status !== 200 || body.neighbors.length === 0) errors.push(`search ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
        else searchLatencies.push(performance.now() - started);
      } catch (error) {
        errors.push(`search: ${error.message}`);
      }
    }
  };

  const inserter = async () => {
    for (let start = 0; start < insertCount && performance.now() < deadline; start += batchSize) {
      const rows = [];
      for (let i = start; i < Math.min(insertCount, start + batchSize); i++) rows.push(i);
      const started = performance.now();
      try {
        const response = await post('/batch', { items: rows.map((i) => ({ id: `${idPrefix}${i}`, vector: row(inserts, i) })) });
        const body = await response.json();
        if (response.status !== 201 || body.state !== 'committed') {
          errors.push(`insert ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
          continue;
        }
        insertLatencies.push(performance.now() - started);
        builds.add(body.build);
        acknowledged.push(...rows);
      } catch (error) {
        errors.push(`insert: ${error.message}`);
      }
    }
  };

  const began = performance.now();
  await Promise.all([inserter(), ...Array.from({ length: clients }, searcher)]);
  const elapsed = (performance.now() - began) / 1000;

  // Every acknowledged insert, searched by its own vector after its build:
  // first as clients search (approximate), then exactly for any the
  // approximate search missed. Not found exactly = not committed.
  let foundApprox = 0;
  let foundExact = 0;
  const missing = [];
  for (const i of acknowledged) {
    const id = `${idPrefix}${i}`;
    const approx = await (await post('/search', { vector: row(inserts, i), k })).json();
    if (approx.neighbors?.some((n) => n.id === id)) {
      foundApprox++;
      foundExact++;
      continue;
    }
    const exact = await (await post('/search', { vector: row(inserts, i), k, recall: 1 })).json();
    if (exact.neighbors?.some((n) => n.id === id)) foundExact++;
    else missing.push(id);
  }

  searchLatencies.sort((a, b) => a - b);
  insertLatencies.sort((a, b) => a - b);
  return {
    seconds: Math.round(elapsed * 10) / 10,
    clients,
    searches: searchLatencies.length,
    qps: Math.round(searchLatencies.length / elapsed),
    p50: percentile(searchLatencies, 50),
    p99: percentile(searchLatencies, 99),
    inserted: acknowledged.length,
    insertRequests: insertLatencies.length,
    insertP50: percentile(insertLatencies, 50),
    insertP99: percentile(insertLatencies, 99),
    builds: builds.size,
    errors,
    searchableExact: foundExact,
    searchableApprox: foundApprox,
    missing,
  };
}
