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
    'Override of https://login.{GenesysEnvironment}, where the OAuth client (openmessaging, webmessaging agent-join detection) gets its token (sovereign clouds, simulator).',
  GenesysOpenMessagingIntegrationId:
    'Open Messaging integration id (GUID); required for openmessaging. Empty: no live agents (demo mode locally).',
  GenesysOAuthClientId:
    'OAuth client (client credentials grant) of openmessaging, required with an integration id; with webmessaging, optional and used with GenesysWebMessagingQueueIds to detect an agent accepting a chat.',
  GenesysOAuthClientSecret:
    'Secret of GenesysOAuthClientId; required with an integration id or with GenesysWebMessagingQueueIds.',
  GenesysWebMessagingQueueIds:
    'webmessaging: comma-separated ids of the queues the inbound message flow transfers to. With GenesysOAuthClientId, the bot follows these queues over the Notifications API and tells the user the agent joined as soon as they accept. Empty (default): the agent is announced at their first message or typing.',
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
