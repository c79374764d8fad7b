import { randomBytes } from 'node:crypto';
import type { GenesysProviderName } from './genesys/handoffProvider';
import { SettingsReader, type Env } from './configReader';
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
    /**
     * Web Messaging: queues watched for agents accepting chats (with the OAuth client of
     * `openMessaging.clientId`); empty: agents are announced at their first message.
     */
    readonly webMessagingQueueIds: readonly string[];
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

export { SETTINGS, type SettingName } from './settings';

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

  const webMessagingQueueIds = r
    .string('GenesysWebMessagingQueueIds')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  for (const id of webMessagingQueueIds)
    r.require(GUID.test(id), `GenesysWebMessagingQueueIds: "${id}" is not a queue id (GUID)`);
  if (provider === 'webmessaging' && webMessagingQueueIds.length > 0) {
    for (const [name, value] of [
      ['GenesysOAuthClientId', openMessaging.clientId],
      ['GenesysOAuthClientSecret', openMessaging.clientSecret],
    ] as const)
      r.require(value !== '', `${name} is required when GenesysWebMessagingQueueIds is set`);
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
      webMessagingQueueIds,
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
