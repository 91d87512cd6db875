// A minimal keep-alive HTTP client (loopback only) for setup calls and the timed probes
// (revoke → 401, token list). Resolves when the whole response body has arrived.
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * `call(base, 'GET', '/api/v1/auth/me', { token })` →
 * `{ status, body (parsed JSON or text), sentAt, receivedAt }` (performance.now() ms).
 */
export function call(base, method, path, { token, body, timeoutMs = 15_000 } = {}) {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`bench calls loopback only, not ${url.hostname}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const receivedAt = performance.now();
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if ((res.headers['content-type'] ?? '').includes('json') && text) {
            try {
              parsed = JSON.parse(text);
            } catch {
              /* keep text */
            }
          }
          resolve({ status: res.statusCode, body: parsed, sentAt, receivedAt });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Throws unless the response has the expected status. */
export async function expectStatus(promise, status, what) {
  const res = await promise;
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
  return res;
}

export function closeHttp() {
  agent.destroy();
}
