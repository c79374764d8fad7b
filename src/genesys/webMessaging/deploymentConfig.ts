import axios from 'axios';
import { isRecord, type JsonObject } from '../../json';
import { GenesysError } from '../genesysError';
import { httpNetworkError, httpStatusError, type HttpRequestSummary } from '../shared';

/**
 * The settings of a Messenger deployment that change how a guest relay behaves, read from the public
 * `config.json` Genesys' own Messenger clients fetch at start (docs/genesys-protocol.md §5.13, [C]).
 * Absent fields take the mobile SDK's defaults.
 */
export interface DeploymentConfig {
  /** `Active` or `Inactive` (an inactive deployment refuses sessions); undefined when not given. */
  status: string | undefined;
  /** Guest typing is sent only when true (default false, as the mobile SDK). */
  showUserTypingIndicator: boolean;
  /** Whether Messenger shows agent typing (default false). */
  showAgentTypingIndicator: boolean;
  /** Messenger sends a `Presence Join` on a new session. */
  autoStart: boolean;
  /** Whether the agent's end reaches the guest (`Presence Disconnect`), and as `Send` or `ReadOnly` (§5.5, §5.16). */
  conversationDisconnect: { enabled: boolean; type: 'Send' | 'ReadOnly' };
  /** Whether Presence Clear is allowed (§5.11). */
  conversationClear: boolean;
  /** The guest session lifetime in seconds, when the document gives it (§5.15). */
  sessionDurationSeconds: number | undefined;
}

/**
 * `https://api-cdn.{domain}/webdeployments/v1/deployments/{deploymentId}/config.json` for an API
 * base `https://api.{domain}`; any other base (a simulator) serves the same path itself.
 */
export function deploymentConfigUrl(apiUrl: string, deploymentId: string): string {
  const url = new URL(apiUrl);
  if (url.hostname.startsWith('api.')) url.hostname = `api-cdn.${url.hostname.slice('api.'.length)}`;
  const base = url.toString().replace(/\/+$/, '');
  return `${base}/webdeployments/v1/deployments/${encodeURIComponent(deploymentId)}/config.json`;
}

function objectAt(value: JsonObject | undefined, key: string): JsonObject | undefined {
  const child = value?.[key];
  return isRecord(child) ? child : undefined;
}

function booleanAt(value: JsonObject | undefined, key: string, fallback: boolean): boolean {
  const child = value?.[key];
  return typeof child === 'boolean' ? child : fallback;
}

/** Reads the fields the relay uses from a `config.json` document; `undefined` when it is not an object. */
export function parseDeploymentConfig(value: unknown): DeploymentConfig | undefined {
  if (!isRecord(value)) return undefined;
  const messenger = objectAt(value, 'messenger');
  const conversations = objectAt(objectAt(messenger, 'apps'), 'conversations');
  const disconnect = objectAt(conversations, 'conversationDisconnect');
  const duration = conversations?.sessionDurationSeconds;
  return {
    status: typeof value.status === 'string' ? value.status : undefined,
    showUserTypingIndicator: booleanAt(conversations, 'showUserTypingIndicator', false),
    showAgentTypingIndicator: booleanAt(conversations, 'showAgentTypingIndicator', false),
    autoStart: booleanAt(objectAt(conversations, 'autoStart'), 'enabled', false),
    conversationDisconnect: {
      enabled: booleanAt(disconnect, 'enabled', false),
      type: disconnect?.type === 'ReadOnly' ? 'ReadOnly' : 'Send',
    },
    conversationClear: booleanAt(objectAt(conversations, 'conversationClear'), 'enabled', false),
    sessionDurationSeconds: typeof duration === 'number' && Number.isFinite(duration) ? duration : undefined,
  };
}

/**
 * Fetches and parses a deployment's `config.json` (a plain GET without credentials). Rejects with a
 * {@link GenesysError}: `unknownDeployment` for 404, the HTTP mapping otherwise, `protocol` for a
 * document that is not an object.
 */
export async function fetchDeploymentConfig(url: string, timeoutMs: number): Promise<DeploymentConfig> {
  const request: HttpRequestSummary = { method: 'GET', url };
  let response;
  try {
    response = await axios.get<unknown>(url, { timeout: timeoutMs, validateStatus: () => true });
  } catch (err) {
    throw httpNetworkError(request, err, 'deployment configuration request failed');
  }
  const status = response.status;
  if (status < 200 || status >= 300)
    throw httpStatusError(
      { request, status, body: response.data },
      `deployment configuration request failed with HTTP ${status}`,
      status === 404 ? 'unknownDeployment' : undefined,
    );
  const config = parseDeploymentConfig(response.data);
  if (config === undefined)
    throw new GenesysError('protocol', 'deployment configuration is not a JSON object', { status });
  return config;
}
