export { TesseraClient, type UpdateOptions } from './lib/tessera-client.js';
export {
  API_PREFIX,
  normalizeBaseUrl,
  type CallOptions,
  type Credential,
  type TesseraClientOptions,
} from './lib/http.js';
export { TesseraConnectionError, TesseraProblem, isTesseraProblem } from './lib/problem.js';
export type * from './lib/types.js';
