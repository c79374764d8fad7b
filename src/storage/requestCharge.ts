import type { CosmosClientOptions, CosmosHeaders, PluginConfig } from '@azure/cosmos';
import { telemetry } from '../telemetry/telemetry';

/** Response header in which Cosmos DB states what a request cost, in request units (RU). */
export const REQUEST_CHARGE_HEADER = 'x-ms-request-charge';

/** A snapshot of a {@link RequestChargeCounter}. */
export interface RequestChargeTotals {
  /** Request units summed over every charged response. */
  requestUnits: number;
  /** Responses that carried a well-formed charge (zero: the store reported none). */
  chargedResponses: number;
}

/**
 * Sums the request charge Cosmos DB reports on every response (`x-ms-request-charge`, a decimal
 * number of request units), successful or not: conflicts, missing documents and throttled attempts
 * are billed too. A missing, empty, negative or non-numeric header adds nothing. In-memory storage
 * never adds to it.
 */
export class RequestChargeCounter implements RequestChargeTotals {
  requestUnits = 0;
  chargedResponses = 0;

  /**
   * Adds the charge stated in `headers` (a Cosmos DB response's headers) and returns it in RU;
   * returns undefined and adds nothing when there is no well-formed charge.
   */
  addFromHeaders(headers: CosmosHeaders | undefined): number | undefined {
    const charge = parseRequestCharge(headers?.[REQUEST_CHARGE_HEADER]);
    if (charge === undefined) return undefined;
    this.requestUnits += charge;
    this.chargedResponses++;
    return charge;
  }

  /** The totals now (a copy). */
  snapshot(): RequestChargeTotals {
    return { requestUnits: this.requestUnits, chargedResponses: this.chargedResponses };
  }
}

/** The charge in request units of one header value, or undefined when it is missing or malformed. */
export function parseRequestCharge(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  const charge = Number(text);
  return Number.isFinite(charge) ? charge : undefined;
}

function headersOf(value: unknown): CosmosHeaders | undefined {
  if (typeof value !== 'object' || value === null || !('headers' in value)) return undefined;
  const { headers } = value;
  return typeof headers === 'object' && headers !== null ? headers : undefined;
}

/**
 * An @azure/cosmos request plugin that adds the charge of every network response (each retry
 * included) to `counter` and to the `storage.request_charge` metric. A failed request's error
 * carries the response headers; they are counted and the error passes on unchanged.
 */
export function requestChargePlugin(counter: RequestChargeCounter): PluginConfig {
  const count = (headers: CosmosHeaders | undefined): void => {
    const charge = counter.addFromHeaders(headers);
    if (charge !== undefined) telemetry().storageRequestCharge(charge);
  };
  return {
    on: 'request',
    plugin: async (context, _diagnosticNode, next) => {
      try {
        const response = await next(context);
        count(response.headers);
        return response;
      } catch (err: unknown) {
        count(headersOf(err));
        throw err;
      }
    },
  };
}

/**
 * `options` with {@link requestChargePlugin} installed. `plugins` is an option the SDK reads
 * (`ClientContext`) but leaves out of its public `CosmosClientOptions` type.
 */
export function withRequestCharge<T extends Partial<CosmosClientOptions>>(
  options: T,
  counter: RequestChargeCounter,
): T & { plugins: PluginConfig[] } {
  return { ...options, plugins: [requestChargePlugin(counter)] };
}
