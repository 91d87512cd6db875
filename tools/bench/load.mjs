// One autocannon scenario, run in its own process so the load generator never shares an event
// loop with the orchestrator. Usage: node tools/bench/load.mjs <scenario.json>
// scenario: { url, path, connections, duration, tokensFile? } (run.mjs runs it once to warm up,
// then once measured)
// With tokensFile (one secret a line) every request carries the next secret in turn as
// `Authorization: Bearer …`, so the api sees many distinct tokens.
// Prints one JSON object: { requests, rps, p50, p90, p99, max, statusCodes, errors, timeouts }.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const scenario = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tokens = scenario.tokensFile
  ? readFileSync(scenario.tokensFile, 'utf8').split('\n').filter(Boolean)
  : [];

// Every request is prebuilt (one entry per token, each connection cycles through them), so the
// load generator does the same cheap work per request in every scenario: rotating tokens through
// setupRequest would rebuild each request and make the client, not the api, the bottleneck.
const requests =
  tokens.length > 0
    ? tokens.map((token) => ({ method: 'GET', path: scenario.path, headers: { authorization: `Bearer ${token}` } }))
    : [{ method: 'GET', path: scenario.path }];

function options(duration) {
  return {
    url: scenario.url,
    connections: scenario.connections,
    duration,
    requests,
    timeout: 10,
  };
}

function run(duration) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options(duration), (err, result) => (err ? reject(err) : resolve(result)));
    process.once('SIGTERM', () => instance.stop());
  });
}

const r = await run(scenario.duration);
const result = {
  requests: r.requests.total,
  rps: r.requests.average,
  p50: r.latency.p50,
  p90: r.latency.p90,
  p99: r.latency.p99,
  max: r.latency.max,
  statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
  errors: r.errors,
  timeouts: r.timeouts,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
