/**
 * Axiom over its ingest API.
 * Docs: https://axiom.co/docs/restapi/ingest and
 * https://axiom.co/docs/restapi/endpoints/ingestIntoDataset — POST
 * https://api.axiom.co/v1/datasets/{dataset}/ingest (or an edge deployment's
 * https://{edge}/v1/ingest/{dataset}) with `Authorization: Bearer <API token>`,
 * `Content-Type: application/json`, a JSON array of events; `_time` is the event time.
 */
import type { Sink } from '../pipeline.js';
import { jsonArray, omit, vendorSink, type ConnectorOptions } from './shared.js';

/** Options of {@link axiomSink}. */
export interface AxiomSinkOptions extends ConnectorOptions {
  /** An Axiom API token with ingest permission. */
  token: string;
  /** Dataset name. */
  dataset: string;
  /**
   * Edge deployment domain (e.g. `eu-central-1.aws.edge.axiom.co`): uses `/v1/ingest/{dataset}`
   * there. @default undefined (https://api.axiom.co/v1/datasets/{dataset}/ingest)
   */
  edge?: string;
}

/** Axiom: each event as a JSON object with `_time` (RFC 3339) and every other field as is. */
export function axiomSink(options: AxiomSinkOptions): Sink {
  const { token, dataset, edge, ...delivery } = options;
  const name = encodeURIComponent(dataset);
  return vendorSink(options.name ?? 'axiom', delivery, {
    url: edge === undefined ? `https://api.axiom.co/v1/datasets/${name}/ingest` : `https://${edge.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/v1/ingest/${name}`,
    headers: { authorization: `Bearer ${token}` },
    contentType: 'application/json',
    body: jsonArray(({ record, level, ms }) => ({ _time: new Date(ms).toISOString(), level, ...omit(record, ['time', 'level']) })),
  });
}
