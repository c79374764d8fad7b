import { randomBytes } from 'node:crypto';
import type { GenesysProviderName } from './genesys/handoffProvider';
import { DEFAULT_ATTACHMENT_MAX_BYTES, DEFAULT_ATTACHMENT_TYPES } from './handoff/channelAttachments';

/** How the bot authenticates to the Bot Framework channels. */
export type MicrosoftAppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

/** How the guest side ends a Web Messaging chat. */
export type WebMessagingEndMode = 'clear' | 'notice';

/** The product's validated, frozen configuration. Setting names are the environment variable names. */
export interface Config {
  readonly port: number;
  readonly logLevel: string;
  readonly instanceId: string;
  readonly microsoft: {
    readonly appId: string;
    readonly appPassword: string;
    readonly appType: MicrosoftAppType;
    readonly tenantId: string;
  };
  readonly cosmos: {
    /** Empty: in-memory storage. */
    readonly endpoint: string;
    /** Empty: Azure AD (managed identity) authentication. */
    readonly key: string;
    readonly databaseId: string;
    readonly containerId: string;
    readonly handoffContainerId: string;
    readonly ttlDays: number;
  };
  readonly transcript: {
    readonly maxEntries: number;
    readonly maxChars: number;
  };
  readonly genesys: {
    readonly provider: GenesysProviderName;
    /** Region domain, e.g. `mypurecloud.com`. */
    readonly environment: string;
    readonly deploymentId: string;
    readonly origin: string;
    /** Explicit websocket URL; empty = derived from `environment`. */
    readonly webMessagingUrl: string;
    /** Explicit REST base URL; empty = derived from `environment`. */
    readonly apiUrl: string;
    readonly organizationId: string;
    readonly queueName: string;
    readonly skills: readonly string[];
    readonly language: string;
    readonly priority: number | undefined;
    readonly memberAuthToken: string;
    readonly messagesPerSecond: number;
    readonly endMode: WebMessagingEndMode;
    readonly reconnectGiveUpSeconds: number;
    readonly reorderWindowMs: number;
    /** Explicit login base URL; empty = derived from `environment`. */
    readonly loginUrl: string;
    readonly openMessaging: {
      /** Empty: no Open Messaging integration configured. */
      readonly integrationId: string;
      readonly clientId: string;
      /** A secret. */
      readonly clientSecret: string;
      /** The integration's webhook signature secret token (a secret). */
      readonly webhookSecret: string;
      /** Shared secret of the detail-events push endpoint (a secret); empty: the endpoint is off. */
      readonly eventsSecret: string;
    };
  };
  readonly handoff: {
    readonly queueTimeoutSeconds: number;
    readonly idleTimeoutSeconds: number;
    readonly idleWarningSeconds: number;
    readonly leaseSeconds: number;
    readonly sweepIntervalSeconds: number;
    readonly preChatQuestions: readonly { readonly key: string; readonly prompt: string }[];
    /** MIME types of files users may send to the agent (`image/*` wildcards allowed). */
    readonly attachmentTypes: readonly string[];
    /** Largest file a user may send to the agent, in bytes. */
    readonly attachmentMaxBytes: number;
  };
  /** How agent messages are shown on each channel. */
  readonly channels: {
    /** Prefix of agent text where the channel shows no sender name, with `{name}`; empty: none. */
    readonly agentNamePrefix: string;
    /** Facebook: send agent messages with the human-agent message tag. */
    readonly facebookHumanAgentTag: boolean;
  };
  /** Where telemetry goes, and whether it may carry personal data. */
  readonly telemetry: {
    /** Application Insights connection string; empty: not exported there. */
    readonly connectionString: string;
    /** OTLP/HTTP base URL; empty: not exported over OTLP. */
    readonly otlpEndpoint: string;
    readonly metricExportIntervalMs: number;
    readonly logPersonalData: boolean;
  };
  /** Demo mode runs the Genesys simulator in-process and serves the demo pages. */
  readonly demo: boolean;
}

/** Thrown by {@link loadConfig}; lists every problem at once. */
export class ConfigError extends Error {
  readonly code = 'invalidConfig';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Every setting the bot reads, with what it does. The names are a contract shared with README,
 * `.env.example` and the ARM templates (tests check all three against this list).
 */
export const SETTINGS = {
  PORT: 'HTTP port the bot listens on (default 3978).',
  LogLevel: 'trace, debug, info (default), warn, error, fatal or silent. Message text is only logged at debug.',
  InstanceId:
    'Name of this process for chat leases; must be unique per process (default: WEBSITE_INSTANCE_ID or host name, plus pid and a random suffix).',
  WEBSITE_INSTANCE_ID: 'Set by Azure App Service; the first part of the default InstanceId.',
  MicrosoftAppId: 'Bot identity (GUID). Empty: no authentication, for the Bot Framework Emulator and local runs.',
  MicrosoftAppPassword: 'Client secret of MicrosoftAppId (not used with UserAssignedMSI).',
  MicrosoftAppType: 'MultiTenant (default), SingleTenant or UserAssignedMSI.',
  MicrosoftAppTenantId: 'Tenant of the bot identity; required for SingleTenant and UserAssignedMSI.',
  CosmosDbEndpoint: 'Cosmos DB account endpoint. Empty: in-memory storage (nothing survives a restart).',
  CosmosDbKey: 'Cosmos DB account key. Empty with an endpoint: Azure AD / managed identity.',
  CosmosDbDatabaseId: 'Database name (default genesys-handoff-bot); created when missing.',
  CosmosDbContainerId: 'Container for bot state and transcripts (default bot-state); created when missing.',
  CosmosDbHandoffContainerId: 'Container for live-chat records and leases (default handoff); created when missing.',
  CosmosDbTtlDays: 'Days before idle conversation state, transcripts and ended live-chat records expire (default 30).',
  TranscriptMaxEntries: 'Most messages kept in a conversation transcript (default 200; oldest dropped first).',
  TranscriptMaxChars: 'Most characters kept in a conversation transcript (default 50000).',
  GenesysProvider:
    'webmessaging (default, Web Messaging Guest API), openmessaging (Open Messaging integration) or guestchat (retired Guest Chat v2, opt-in).',
  GenesysEnvironment: 'Genesys Cloud region domain, e.g. mypurecloud.com (default), mypurecloud.ie, usw2.pure.cloud.',
  GenesysDeploymentId:
    'Messenger (webmessaging) or web chat (guestchat) deployment id. Empty: no live agents (demo mode locally).',
  GenesysOrigin: 'Origin header sent to Web Messaging when the deployment restricts allowed domains.',
  GenesysWebMessagingUrl: 'Override of wss://webmessaging.{GenesysEnvironment}/v1 (sovereign clouds, simulator).',
  GenesysApiUrl: 'Override of https://api.{GenesysEnvironment} (sovereign clouds, simulator).',
  GenesysLoginUrl:
    'Override of https://login.{GenesysEnvironment}, where openmessaging gets its OAuth token (sovereign clouds, simulator).',
  GenesysOpenMessagingIntegrationId:
    'Open Messaging integration id (GUID); required for openmessaging. Empty: no live agents (demo mode locally).',
  GenesysOAuthClientId: 'OAuth client (client credentials grant) of openmessaging; required with an integration id.',
  GenesysOAuthClientSecret: 'Secret of GenesysOAuthClientId; required with an integration id.',
  GenesysOpenMessagingWebhookSecret:
    "The integration's Outbound Notification Webhook Signature Secret Token; webhook calls whose X-Hub-Signature-256 does not match it are refused. Required with an integration id.",
  GenesysOpenMessagingEventsSecret:
    'Shared secret a Genesys Process Automation trigger (Workflow data action) sends in X-Handoff-Events-Secret to POST /api/genesys/openmessaging/events. Empty: that endpoint is off.',
  GenesysOrganizationId: 'Organization id (GUID); required for guestchat.',
  GenesysQueueName: 'Queue name (not id) chats are routed to; required for guestchat.',
  GenesysSkills: 'Comma-separated skill names for guestchat routing.',
  GenesysLanguage: 'Language name for guestchat routing.',
  GenesysPriority: 'Routing priority for guestchat.',
  GenesysMemberAuthToken: 'Static memberAuthToken for guestchat deployments that require authentication.',
  GenesysMessagesPerSecond: 'Web Messaging per-session message rate the bot paces itself to (default 5).',
  GenesysReorderWindowMs:
    'Web Messaging: hold live agent messages this long to put messages that arrive out of order back in order (default 150; 0 delivers at once in arrival order; history after a reconnect is always sorted). The first message of a burst waits this long.',
  GenesysReconnectGiveUpSeconds:
    'Web Messaging: end a chat only after the link to Genesys has been down this long without a break (default 600; 0 = when the reconnect attempts, about five minutes, are spent). Meanwhile the Genesys session is kept and the user is told once after 10 s.',
  GenesysEndChatMode:
    'How the user ends a Web Messaging chat: clear (default, Presence Clear) or notice (tell the agent, then disconnect).',
  HandoffQueueTimeoutSeconds: 'Give up waiting for an agent after this long (default 600; 0 = never).',
  HandoffIdleTimeoutSeconds: 'End a live chat with no message either way for this long (default 900; 0 = never).',
  HandoffIdleWarningSeconds: 'Warn the user this long before the idle timeout (default 120).',
  HandoffLeaseSeconds: 'Lease of an instance on a live chat; another instance takes over after it lapses (default 30).',
  HandoffSweepIntervalSeconds: 'How often timers and leases are checked (default 5).',
  HandoffPreChatQuestions:
    'Questions asked before connecting, as JSON: [{"key":"orderNumber","prompt":"What is your order number?"}]. Answers go to the agent as participant data. Default: none.',
  HandoffAttachmentTypes:
    'MIME types of files users may send to the agent, comma-separated; image/* allows every image type (default image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain). Others are refused with a note to the user.',
  HandoffAttachmentMaxBytes:
    "Largest file a user may send to the agent, in bytes (default 10000000, Genesys Web Messaging's limit; at most 25000000). Larger files are refused with a note to the user.",
  HandoffAgentNamePrefix:
    'Text before agent messages on Teams, Slack and Facebook, which show no sender name; {name} is the agent\'s name, a space follows (default "{name}:"; none: no prefix). Web Chat, Direct Line and the Emulator get the name as the sender name.',
  FacebookHumanAgentTag:
    "true sends agent messages on Facebook with the HUMAN_AGENT message tag, so agents can answer up to 7 days after the user's last message; needs Meta's Human Agent permission (default false).",
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    'Application Insights connection string (App Service sets it when the resource is linked). Set: traces, metrics and Bot Framework events are exported there through Azure Monitor OpenTelemetry. Empty: not exported.',
  OTEL_EXPORTER_OTLP_ENDPOINT:
    'Base URL of an OpenTelemetry collector (OTLP/HTTP, e.g. http://localhost:4318). Set: traces, metrics and Bot Framework events are exported there (with a connection string also set: traces only). Empty: no OTLP export.',
  OTEL_METRIC_EXPORT_INTERVAL: 'Milliseconds between metric exports over OTLP (default 60000).',
  TelemetryLogPersonalData:
    'true adds message text and user names to telemetry (spans, Bot Framework events). Default false: personal data stays out.',
  DemoMode:
    'true runs a simulated Genesys with an agent console and a Web Chat page. Default: true when none of GenesysDeploymentId, GenesysOpenMessagingIntegrationId and MicrosoftAppId is set.',
} as const;

/** A setting name. */
export type SettingName = keyof typeof SETTINGS;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads settings from `env`, collecting problems instead of stopping at the first one. */
class SettingsReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** The trimmed value; a missing or blank setting means "use the default" (an empty `Name=` line in `.env`). */
  string(name: SettingName, fallback = ''): string {
    const value = this.env[name]?.trim() ?? '';
    return value === '' ? fallback : value;
  }

  integer(name: SettingName, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  optionalInteger(name: SettingName, min: number, max: number): number | undefined {
    return this.string(name) === '' ? undefined : this.integer(name, min, min, max);
  }

  oneOf<T extends string>(name: SettingName, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === '') return fallback;
    const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (match === undefined) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return match;
  }

  boolean(name: SettingName, fallback: boolean): boolean {
    const raw = this.string(name).toLowerCase();
    if (raw === '') return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: SettingName, protocols: readonly string[]): string {
    const raw = this.string(name);
    if (raw === '') return '';
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')} URL (got "${raw}")`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL (got "${raw}")`);
    }
    return raw.replace(/\/+$/, '');
  }

  questions(name: SettingName): { key: string; prompt: string }[] {
    const raw = this.string(name);
    if (raw === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.problems.push(`${name} must be JSON (got "${raw}")`);
      return [];
    }
    const valid =
      Array.isArray(parsed) &&
      parsed.every(
        (q: unknown) =>
          typeof q === 'object' &&
          q !== null &&
          typeof (q as { key?: unknown }).key === 'string' &&
          /^[A-Za-z][A-Za-z0-9_]*$/.test((q as { key: string }).key) &&
          typeof (q as { prompt?: unknown }).prompt === 'string' &&
          (q as { prompt: string }).prompt.trim() !== '',
      );
    if (!valid) {
      this.problems.push(`${name} must be a JSON array of {"key": "<letters, digits, _>", "prompt": "<question>"}`);
      return [];
    }
    return (parsed as { key: string; prompt: string }[]).map((q) => ({ key: q.key, prompt: q.prompt }));
  }

  require(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

/**
 * Loads and validates the configuration from environment variables. Throws one {@link ConfigError}
 * listing every problem. The result is deeply frozen.
 */
export function loadConfig(env: Env): Config {
  const r = new SettingsReader(env);

  const appId = r.string('MicrosoftAppId');
  const appPassword = r.string('MicrosoftAppPassword');
  const appType = r.oneOf<MicrosoftAppType>(
    'MicrosoftAppType',
    ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'],
    'MultiTenant',
  );
  const tenantId = r.string('MicrosoftAppTenantId');
  if (appId !== '') {
    r.require(GUID.test(appId), `MicrosoftAppId must be a GUID (got "${appId}")`);
    if (appType !== 'UserAssignedMSI')
      r.require(appPassword !== '', 'MicrosoftAppPassword is required when MicrosoftAppId is set');
    if (appType !== 'MultiTenant')
      r.require(tenantId !== '', `MicrosoftAppTenantId is required when MicrosoftAppType is ${appType}`);
  } else {
    r.require(appPassword === '', 'MicrosoftAppPassword is set but MicrosoftAppId is empty');
  }

  const cosmosEndpoint = r.url('CosmosDbEndpoint', ['https:', 'http:']);
  const provider = r.oneOf<GenesysProviderName>(
    'GenesysProvider',
    ['webmessaging', 'guestchat', 'openmessaging'],
    'webmessaging',
  );
  const environment = r.string('GenesysEnvironment', 'mypurecloud.com').toLowerCase();
  r.require(
    DOMAIN.test(environment),
    `GenesysEnvironment must be a region domain such as mypurecloud.com (got "${environment}")`,
  );
  const deploymentId = r.string('GenesysDeploymentId');
  if (deploymentId !== '')
    r.require(GUID.test(deploymentId), `GenesysDeploymentId must be a GUID (got "${deploymentId}")`);
  const organizationId = r.string('GenesysOrganizationId');
  if (organizationId !== '')
    r.require(GUID.test(organizationId), `GenesysOrganizationId must be a GUID (got "${organizationId}")`);
  const queueName = r.string('GenesysQueueName');
  if (provider === 'guestchat' && deploymentId !== '') {
    r.require(organizationId !== '', 'GenesysOrganizationId is required when GenesysProvider is guestchat');
    r.require(queueName !== '', 'GenesysQueueName is required when GenesysProvider is guestchat');
  }
  const origin = r.url('GenesysOrigin', ['https:', 'http:']);
  const openMessaging = {
    integrationId: r.string('GenesysOpenMessagingIntegrationId'),
    clientId: r.string('GenesysOAuthClientId'),
    clientSecret: r.string('GenesysOAuthClientSecret'),
    webhookSecret: r.string('GenesysOpenMessagingWebhookSecret'),
    eventsSecret: r.string('GenesysOpenMessagingEventsSecret'),
  };
  if (openMessaging.integrationId !== '')
    r.require(
      GUID.test(openMessaging.integrationId),
      `GenesysOpenMessagingIntegrationId must be a GUID (got "${openMessaging.integrationId}")`,
    );
  if (provider === 'openmessaging' && openMessaging.integrationId !== '') {
    for (const [name, value] of [
      ['GenesysOAuthClientId', openMessaging.clientId],
      ['GenesysOAuthClientSecret', openMessaging.clientSecret],
      ['GenesysOpenMessagingWebhookSecret', openMessaging.webhookSecret],
    ] as const)
      r.require(value !== '', `${name} is required when GenesysProvider is openmessaging`);
  }

  const idleTimeoutSeconds = r.integer('HandoffIdleTimeoutSeconds', 900, 0, 7 * 24 * 3600);
  const idleWarningSeconds = r.integer('HandoffIdleWarningSeconds', 120, 0, 24 * 3600);
  if (idleTimeoutSeconds > 0) {
    r.require(
      idleWarningSeconds < idleTimeoutSeconds,
      'HandoffIdleWarningSeconds must be less than HandoffIdleTimeoutSeconds',
    );
  }

  // Values are trimmed: the prefix is always followed by one space.
  const namePrefix = r.string('HandoffAgentNamePrefix') || '{name}:';
  const attachmentTypes = r
    .string('HandoffAttachmentTypes')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  for (const type of attachmentTypes)
    r.require(/^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)$/.test(type), `HandoffAttachmentTypes: "${type}" is not a MIME type`);
  r.require(
    namePrefix === 'none' || namePrefix.includes('{name}'),
    `HandoffAgentNamePrefix must contain {name} or be none (got "${namePrefix}")`,
  );

  const config: Config = {
    port: r.integer('PORT', 3978, 0, 65535),
    logLevel: r.oneOf('LogLevel', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info'),
    // Several processes (and overlapping restarts) share WEBSITE_INSTANCE_ID: each gets its own id.
    instanceId:
      r.string('InstanceId') ||
      `${r.string('WEBSITE_INSTANCE_ID') || hostName()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    microsoft: { appId, appPassword, appType, tenantId },
    cosmos: {
      endpoint: cosmosEndpoint,
      key: r.string('CosmosDbKey'),
      databaseId: r.string('CosmosDbDatabaseId', 'genesys-handoff-bot'),
      containerId: r.string('CosmosDbContainerId', 'bot-state'),
      handoffContainerId: r.string('CosmosDbHandoffContainerId', 'handoff'),
      ttlDays: r.integer('CosmosDbTtlDays', 30, 1, 3650),
    },
    transcript: {
      maxEntries: r.integer('TranscriptMaxEntries', 200, 1, 10_000),
      maxChars: r.integer('TranscriptMaxChars', 50_000, 100, 1_000_000),
    },
    genesys: {
      provider,
      environment,
      deploymentId,
      origin,
      webMessagingUrl: r.url('GenesysWebMessagingUrl', ['wss:', 'ws:']),
      apiUrl: r.url('GenesysApiUrl', ['https:', 'http:']),
      organizationId,
      queueName,
      skills: r
        .string('GenesysSkills')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      language: r.string('GenesysLanguage'),
      priority: r.optionalInteger('GenesysPriority', 0, 1_000_000),
      memberAuthToken: r.string('GenesysMemberAuthToken'),
      messagesPerSecond: r.integer('GenesysMessagesPerSecond', 5, 1, 100),
      endMode: r.oneOf<WebMessagingEndMode>('GenesysEndChatMode', ['clear', 'notice'], 'clear'),
      reconnectGiveUpSeconds: r.integer('GenesysReconnectGiveUpSeconds', 600, 0, 24 * 3600),
      reorderWindowMs: r.integer('GenesysReorderWindowMs', 150, 0, 5000),
      loginUrl: r.url('GenesysLoginUrl', ['https:', 'http:']),
      openMessaging,
    },
    handoff: {
      queueTimeoutSeconds: r.integer('HandoffQueueTimeoutSeconds', 600, 0, 24 * 3600),
      idleTimeoutSeconds,
      idleWarningSeconds,
      leaseSeconds: r.integer('HandoffLeaseSeconds', 30, 5, 3600),
      sweepIntervalSeconds: r.integer('HandoffSweepIntervalSeconds', 5, 1, 600),
      preChatQuestions: r.questions('HandoffPreChatQuestions'),
      attachmentTypes: attachmentTypes.length > 0 ? attachmentTypes : DEFAULT_ATTACHMENT_TYPES,
      attachmentMaxBytes: r.integer('HandoffAttachmentMaxBytes', DEFAULT_ATTACHMENT_MAX_BYTES, 1, 25_000_000),
    },
    channels: {
      agentNamePrefix: namePrefix === 'none' ? '' : `${namePrefix} `,
      facebookHumanAgentTag: r.boolean('FacebookHumanAgentTag', false),
    },
    telemetry: {
      connectionString: r.string('APPLICATIONINSIGHTS_CONNECTION_STRING'),
      otlpEndpoint: r.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['https:', 'http:']),
      metricExportIntervalMs: r.integer('OTEL_METRIC_EXPORT_INTERVAL', 60_000, 1_000, 3_600_000),
      logPersonalData: r.boolean('TelemetryLogPersonalData', false),
    },
    demo: r.boolean('DemoMode', deploymentId === '' && openMessaging.integrationId === '' && appId === ''),
  };

  if (config.handoff.sweepIntervalSeconds * 2 > config.handoff.leaseSeconds) {
    r.require(false, 'HandoffSweepIntervalSeconds must be at most half of HandoffLeaseSeconds');
  }
  if (config.demo) {
    r.require(
      deploymentId === '',
      'DemoMode cannot be true while GenesysDeploymentId is set: the demo uses its own simulated Genesys',
    );
    r.require(
      openMessaging.integrationId === '',
      'DemoMode cannot be true while GenesysOpenMessagingIntegrationId is set: the demo uses its own simulated Genesys',
    );
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

/** The settings with secrets masked, for the one "settings loaded" log line. */
export function describeConfig(config: Config): Record<string, unknown> {
  const mask = (value: string): string => (value === '' ? '' : '[set]');
  return {
    ...config,
    microsoft: { ...config.microsoft, appPassword: mask(config.microsoft.appPassword) },
    cosmos: { ...config.cosmos, key: mask(config.cosmos.key) },
    genesys: {
      ...config.genesys,
      memberAuthToken: mask(config.genesys.memberAuthToken),
      openMessaging: {
        ...config.genesys.openMessaging,
        clientSecret: mask(config.genesys.openMessaging.clientSecret),
        webhookSecret: mask(config.genesys.openMessaging.webhookSecret),
        eventsSecret: mask(config.genesys.openMessaging.eventsSecret),
      },
    },
    telemetry: { ...config.telemetry, connectionString: mask(config.telemetry.connectionString) },
  };
}

function hostName(): string {
  return process.env.HOSTNAME?.trim() || 'local';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
