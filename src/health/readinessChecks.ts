import WebSocket from 'ws';
import type { Config } from '../config';
import { guestChatApiUrl } from '../genesys/guestChat/guestChatProvider';
import { webMessagingUrlsFor } from '../genesys/webMessaging/webMessagingProvider';
import type { StorageBundle } from '../storage/createStorage';
import type { StoredDocument } from '../storage/versionedStore';
import type { ReadinessCheck } from './readiness';

/** Storage answers: reads the live-chat container (Cosmos DB) or nothing (in memory). */
export function storageCheck(storage: Pick<StorageBundle<StoredDocument>, 'kind' | 'ping'>): ReadinessCheck {
  return {
    name: 'storage',
    target: storage.kind,
    probe: (signal) => storage.ping(signal),
  };
}

/**
 * Web Messaging: the guest websocket of the deployment (`{webMessagingUrl}?deploymentId=...`,
 * docs/genesys-protocol.md §5) accepts a connection. The socket is closed as soon as it opens;
 * no session is configured, so nothing is created on Genesys.
 */
export function webMessagingCheck(webMessagingUrl: string, deploymentId: string, origin = ''): ReadinessCheck {
  const separator = webMessagingUrl.includes('?') ? '&' : '?';
  const url = `${webMessagingUrl}${separator}deploymentId=${encodeURIComponent(deploymentId)}`;
  return {
    name: 'genesys',
    target: webMessagingUrl,
    probe: (signal) =>
      new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(url, origin === '' ? {} : { origin });
        const onAbort = (): void => {
          socket.terminate();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('open', () => {
          signal.removeEventListener('abort', onAbort);
          socket.close(1000);
          resolve();
        });
        socket.once('unexpected-response', (_req, res) => {
          signal.removeEventListener('abort', onAbort);
          socket.terminate();
          reject(new Error(`the websocket upgrade was answered with HTTP ${res.statusCode ?? '?'}`));
        });
        socket.once('error', (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        });
      }),
  };
}

/**
 * Guest Chat v2: the Genesys API answers over HTTP (docs/genesys-protocol.md §3). Any answer below
 * 500 counts (the probe is unauthenticated: 401/404 prove the API is there); 5xx and network
 * errors do not.
 */
export function guestChatCheck(apiUrl: string): ReadinessCheck {
  const url = `${apiUrl.replace(/\/+$/, '')}/api/v2/webchat/guest/conversations`;
  return {
    name: 'genesys',
    target: apiUrl,
    probe: async (signal) => {
      const res = await fetch(url, { method: 'GET', signal });
      await res.body?.cancel();
      if (res.status >= 500) throw new Error(`the API answered HTTP ${res.status}`);
    },
  };
}

/** Genesys endpoints of the provider in use (see `createProvider`); demo mode passes the simulator's. */
export interface GenesysEndpoints {
  webMessagingUrl?: string;
  apiUrl?: string;
  deploymentId?: string;
}

/**
 * The Genesys check of the configured provider, or `undefined` when no deployment is configured
 * (the bot then has no live agents and readiness does not depend on Genesys).
 */
export function genesysCheck(config: Config, endpoints: GenesysEndpoints = {}): ReadinessCheck | undefined {
  const { genesys } = config;
  const deploymentId = endpoints.deploymentId ?? genesys.deploymentId;
  if (deploymentId === '') return undefined;
  if (genesys.provider === 'guestchat') {
    return guestChatCheck(endpoints.apiUrl ?? guestChatApiUrl(genesys.environment, genesys.apiUrl));
  }
  const url =
    endpoints.webMessagingUrl ?? (genesys.webMessagingUrl || webMessagingUrlsFor(genesys.environment).webMessagingUrl);
  return webMessagingCheck(url, deploymentId, genesys.origin);
}
