import {
  CloudAdapter,
  ConfigurationServiceClientCredentialFactory,
  ConversationState,
  TelemetryLoggerMiddleware,
  UserState,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type * as restify from 'restify';
import { HandoffBot } from '../bots/handoffBot';
import { FileConsentSigning } from './handoff/fileConsentSigning';
import { TeamsFileConsent } from './handoff/teamsFileConsent';
import { Faq } from '../dialogs/faq';
import { MainDialog, type MainDialogState } from '../dialogs/mainDialog';
import { TransferDialog, type PreChatQuestion } from '../dialogs/transferDialog';
import { CachingBotFrameworkAuthentication } from './cachingAuthentication';
import type { Config } from './config';
import { createProvider } from './genesys/createProvider';
import { DEMO_DEPLOYMENT_ID, DEMO_OPEN_MESSAGING, startDemoGenesys, startDemoOpenMessaging } from './demoGenesys';
import { OpenMessagingProvider } from './genesys/openMessaging';
import { BotAdapter } from './http/botAdapter';
import type { HandoffProvider } from './genesys/handoffProvider';
import { Readiness, type ReadinessCheck, type ReadinessOptions } from './health/readiness';
import { genesysCheck, storageCheck } from './health/readinessChecks';
import type { HandoffDocument } from './handoff/handoffRecord';
import { botTokenFrom } from './handoff/channelAttachments';
import { HandoffRecords } from './handoff/handoffRecords';
import { HandoffSessionManager } from './handoff/handoffSessionManager';
import { ProactiveMessenger, type ProactiveJournal, type ProactiveRunner } from './handoff/proactiveMessenger';
import type { Logger } from './logger';
import { messagesFor } from './resources/messages';
import { installOpenMessagingRoutes, OPEN_MESSAGING_WEBHOOK_PATH } from './http/openMessagingWebhook';
import { createServer, type HealthStatus } from './server';
import { OpenMessagingSimulator } from './simulator/openMessaging';
import { WebMessagingSimulator } from './simulator/webMessaging/webMessagingSimulator';
import { ConcurrentConversationState, ConcurrentUserState, conversationStateKey } from './state/concurrentState';
import { StateSaver } from './state/stateSaver';
import { createStorage, type StorageBundle } from './storage/createStorage';
import type { Transcript } from './transcript/transcript';
import { OpenTelemetryBotTelemetryClient } from './telemetry/botTelemetryClient';
import { telemetry } from './telemetry/telemetry';
import { TurnSpanMiddleware } from './telemetry/turnSpanMiddleware';
import { TranscriptFolder } from './transcript/transcriptJournal';
import { TranscriptRecorder } from './transcript/transcriptRecorder';
import { handoffRecordId } from './handoff/handoffKeys';

/** Storage the app runs on. */
export { DEMO_DEPLOYMENT_ID, DEMO_OPEN_MESSAGING } from './demoGenesys';

export type AppStorage = StorageBundle<HandoffDocument>;

/** Adds the demo pages (Web Chat, agent console, Direct Line) to the bot's server in demo mode. */
export type DemoRoutes = (
  server: restify.Server,
  simulator: WebMessagingSimulator | OpenMessagingSimulator,
  botPort: () => number,
) => void;

/** Parts a caller (tests, benchmarks, the entry point) may supply instead of building them from config. */
export interface AppOverrides {
  storage?: AppStorage;
  /**
   * The Genesys provider. Left out, it is built from the settings ({@link createProvider}) or, in
   * demo mode, pointed at an in-process Web Messaging simulator; `null` forces "no live agents".
   */
  provider?: HandoffProvider | null;
  preChatQuestions?: readonly PreChatQuestion[];
  extraRoutes?: (server: restify.Server) => void;
  /** The demo pages, installed in demo mode (when the app runs its own simulator). */
  demoRoutes?: DemoRoutes;
  now?: () => number;
  /** Runs proactive turns (tests use the TestAdapter). Defaults to the CloudAdapter. */
  proactiveRunner?: ProactiveRunner;
  /** The bot's Bot Framework token for channel file downloads. Defaults to the app identity's (none without an app id). */
  botToken?: () => Promise<string | undefined>;
  /** Cache and time bounds of `/healthz/ready`. */
  readiness?: ReadinessOptions;
  /** Write batching (see {@link WriteBatching}); default: every change written at once. */
  writeBatching?: WriteBatching;
  /**
   * Download agent files for Teams file consent from loopback and private addresses too (the
   * demo's simulator and local tests serve them on this machine). Default: in demo mode only.
   */
  agentFilesFromPrivateAddresses?: boolean;
}

/**
 * Trades a bounded window of repeated work after a crash for fewer storage writes: an outbox
 * entry's removal rides on the live-chat record's next write (`deferMaxMs`, see
 * HandoffRecords.defer) and transcript entries of proactive sends to a conversation without a
 * live-chat record are saved per conversation in batches (`transcriptBatchMs`, see
 * ProactiveMessenger; with a record they go to its transcript journal either way). 0 writes at
 * once. What a crash costs: bench/README.md.
 */
export interface WriteBatching {
  deferMaxMs: number;
  transcriptBatchMs: number;
}

/** A fully wired bot service. */
export interface App {
  readonly config: Config;
  readonly server: restify.Server;
  readonly adapter: CloudAdapter;
  readonly handoff: HandoffSessionManager;
  readonly bot: HandoffBot;
  readonly storage: AppStorage;
  /** The in-process Genesys simulator (demo mode with Web Messaging only). */
  readonly simulator: WebMessagingSimulator | undefined;
  /** The in-process Open Messaging simulator (demo mode with `GenesysProvider=openmessaging` only). */
  readonly openMessagingSimulator: OpenMessagingSimulator | undefined;
  /** Starts listening and background work; resolves with the bound port. */
  start(port?: number, host?: string): Promise<number>;
  /** Graceful stop: releases live chats, closes connections and storage. Idempotent. */
  stop(): Promise<void>;
  /** Immediate stop without releasing live chats (they move to another instance once the lease lapses). */
  abort(): Promise<void>;
}

/** The transcript property name in conversation state. */
export const TRANSCRIPT_PROPERTY = 'transcript';

/** Options of {@link buildBot}. */
export interface BuildBotOptions {
  storage: AppStorage;
  provider: HandoffProvider | undefined;
  /** Runs proactive turns on the adapter the bot is served by. */
  proactiveRunner: ProactiveRunner;
  preChatQuestions?: readonly PreChatQuestion[];
  now?: () => number;
  /** The bot's Bot Framework token, for downloading the files users send on channels that require it. */
  botToken?: () => Promise<string | undefined>;
  writeBatching?: WriteBatching;
  /**
   * Download agent files for Teams file consent from loopback and private addresses too (the
   * demo's simulator and local tests serve them on this machine); default false.
   */
  agentFilesFromPrivateAddresses?: boolean;
}

/** The bot and what it is built from, independent of the adapter that serves it. */
export interface BotServices {
  bot: HandoffBot;
  handoff: HandoffSessionManager;
  recorder: TranscriptRecorder;
  conversationState: ConversationState;
  userState: UserState;
  transcript: StatePropertyAccessor<Transcript>;
  /** The turn-level error handler to install as the adapter's `onTurnError`. */
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
}

/** Builds state, transcript recording, the handoff manager, the dialogs and the bot. */
export function buildBot(config: Config, logger: Logger, options: BuildBotOptions): BotServices {
  const { storage } = options;
  const conversationState = new ConcurrentConversationState(storage.botStorage);
  const userState = new ConcurrentUserState(storage.botStorage);
  const transcriptAccessor = conversationState.createProperty<Transcript>(TRANSCRIPT_PROPERTY);
  const dialogStateAccessor = conversationState.createProperty<DialogState>('dialogState');
  const mainStateAccessor = conversationState.createProperty<MainDialogState>('mainDialog');
  const limits = { maxEntries: config.transcript.maxEntries, maxChars: config.transcript.maxChars };
  const chats: { manager?: HandoffSessionManager } = {};
  const recorder = new TranscriptRecorder(
    transcriptAccessor,
    limits,
    logger.child({ module: 'transcript' }),
    (channelId, conversationId) => chats.manager?.heldChatId(channelId, conversationId),
  );
  const stateSaver = new StateSaver(
    conversationState,
    userState,
    TRANSCRIPT_PROPERTY,
    limits,
    logger.child({ module: 'state' }),
  );

  const onTurnError = async (context: TurnContext, error: Error): Promise<void> => {
    logger.error({ err: error, conversationId: context.activity.conversation.id }, 'unhandled error in a turn');
    try {
      if (context.activity.channelId === 'emulator') {
        await context.sendTraceActivity(
          'OnTurnError Trace',
          error.message,
          'https://www.botframework.com/schemas/error',
          'TurnError',
        );
      }
      await context.sendActivity(messagesFor(context.activity.locale).turnError);
    } catch (err) {
      logger.warn({ err, conversationId: context.activity.conversation.id }, 'could not tell the user about an error');
    }
  };

  const clock = options.now === undefined ? undefined : { now: options.now };
  const fileConsent = new FileConsentSigning(storage.handoffStore, clock === undefined ? {} : { clock });
  const records = new HandoffRecords(
    storage.handoffStore,
    config.cosmos.ttlDays * 86_400,
    logger.child({ module: 'handoff.records' }),
    options.now,
    options.writeBatching?.deferMaxMs ?? 0,
  );
  records.useTranscriptFolder(
    new TranscriptFolder(
      storage.botStorage,
      conversationStateKey,
      TRANSCRIPT_PROPERTY,
      limits,
      logger.child({ module: 'transcript' }),
    ),
  );
  // Transcript entries of proactive sends go to the live-chat record's journal.
  const journal: ProactiveJournal = async (reference, entries, rides) => {
    const id = handoffRecordId(reference.channelId ?? '', reference.conversation?.id ?? '');
    return (rides && records.ride(id, entries)) || (await records.journal(id, entries));
  };
  const messenger = new ProactiveMessenger(
    options.proactiveRunner,
    recorder,
    stateSaver,
    logger.child({ module: 'proactive' }),
    options.writeBatching?.transcriptBatchMs ?? 0,
    journal,
  );
  const handoff = new HandoffSessionManager(
    options.provider,
    records,
    messenger,
    {
      instanceId: config.instanceId,
      queueTimeoutSeconds: config.handoff.queueTimeoutSeconds,
      idleTimeoutSeconds: config.handoff.idleTimeoutSeconds,
      idleWarningSeconds: config.handoff.idleWarningSeconds,
      leaseSeconds: config.handoff.leaseSeconds,
      sweepIntervalSeconds: config.handoff.sweepIntervalSeconds,
      channels: { ...config.channels },
      attachments: {
        allowedTypes: config.handoff.attachmentTypes,
        maxBytes: config.handoff.attachmentMaxBytes,
        ...(options.botToken === undefined ? {} : { botToken: options.botToken }),
      },
      routing: {
        ...(config.genesys.queueName === '' ? {} : { queueName: config.genesys.queueName }),
        ...(config.genesys.skills.length === 0 ? {} : { skills: [...config.genesys.skills] }),
        ...(config.genesys.language === '' ? {} : { language: config.genesys.language }),
        ...(config.genesys.priority === undefined ? {} : { priority: config.genesys.priority }),
      },
      fileConsent,
    },
    logger,
    clock,
  );
  chats.manager = handoff;

  const transferDialog = new TransferDialog(
    handoff,
    transcriptAccessor,
    options.preChatQuestions ?? config.handoff.preChatQuestions,
  );
  const mainDialog = new MainDialog(Faq.default(), transferDialog, mainStateAccessor);
  mainDialog.telemetryClient = new OpenTelemetryBotTelemetryClient();
  const bot = new HandoffBot(
    mainDialog,
    dialogStateAccessor,
    handoff,
    stateSaver,
    logger.child({ module: 'bot' }),
    new TeamsFileConsent({
      logger: logger.child({ module: 'teams.files' }),
      signing: fileConsent,
      allowPrivateAddresses: options.agentFilesFromPrivateAddresses === true,
    }),
  );
  return { bot, handoff, recorder, conversationState, userState, transcript: transcriptAccessor, onTurnError };
}

/**
 * The composition root. Builds the service graph: storage -> Genesys provider (and, in demo mode,
 * the simulator) -> state -> handoff -> dialogs -> bot -> adapter -> server. Nothing listens until
 * `start()`.
 */
export async function createApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const storage: AppStorage = overrides.storage ?? (await createStorage<HandoffDocument>(config, logger));
  const wantDemo = config.demo && overrides.provider === undefined;
  const openMessagingDemo = wantDemo && config.genesys.provider === 'openmessaging';
  const demo = wantDemo && !openMessagingDemo ? await startDemoGenesys(config, logger) : undefined;
  const omDemo = openMessagingDemo ? await startDemoOpenMessaging(config, logger) : undefined;
  const chosenProvider =
    overrides.provider === null
      ? undefined
      : (overrides.provider ?? demo?.provider ?? omDemo?.provider ?? createProvider(config, logger));
  const credentialsFactory = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: config.microsoft.appId,
    MicrosoftAppPassword: config.microsoft.appPassword,
    MicrosoftAppType: config.microsoft.appType,
    MicrosoftAppTenantId: config.microsoft.tenantId,
  });
  const auth = new CachingBotFrameworkAuthentication(
    { MicrosoftAppId: config.microsoft.appId, MicrosoftAppTenantId: config.microsoft.tenantId },
    // The factory is botbuilder's own subclass of the expected base class; the rule cannot see through the re-export.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    credentialsFactory,
  );
  const adapter = new BotAdapter(auth);
  const services = buildBot(config, logger, {
    storage,
    provider: chosenProvider,
    proactiveRunner:
      overrides.proactiveRunner ??
      ((reference, logic) => adapter.continueConversationAsync(config.microsoft.appId, reference, logic)),
    ...(overrides.preChatQuestions === undefined ? {} : { preChatQuestions: overrides.preChatQuestions }),
    ...(overrides.now === undefined ? {} : { now: overrides.now }),
    ...(overrides.botToken !== undefined
      ? { botToken: overrides.botToken }
      : config.microsoft.appId === ''
        ? {}
        : { botToken: botTokenFrom(credentialsFactory, config.microsoft.appId) }),
    ...(overrides.writeBatching === undefined ? {} : { writeBatching: overrides.writeBatching }),
    // The demo's simulator serves agent files on this machine.
    agentFilesFromPrivateAddresses: overrides.agentFilesFromPrivateAddresses ?? config.demo,
  });
  if (chosenProvider instanceof OpenMessagingProvider) {
    // Genesys posts a chat's webhooks to any instance: the instance called takes the chat over.
    // A webhook of a chat another instance is still opening is answered 503: Genesys calls again.
    chosenProvider.setChatAdopter(
      (matches) => services.handoff.adoptChat((data) => data.provider === 'openmessaging' && matches(data)),
      (chatKey) => services.handoff.hasActiveChat(chatKey),
    );
  }
  adapter.use(new TurnSpanMiddleware());
  adapter.use(new TelemetryLoggerMiddleware(new OpenTelemetryBotTelemetryClient(), config.telemetry.logPersonalData));
  adapter.use(services.recorder);
  adapter.onTurnError = services.onTurnError;
  const { bot, handoff } = services;

  let boundPort = config.port;
  const { demoRoutes } = overrides;
  const extraRoutes =
    chosenProvider instanceof OpenMessagingProvider
      ? (server: restify.Server): void => {
          installOpenMessagingRoutes(server, {
            receiver: chosenProvider,
            logger,
            eventsSecret: config.genesys.openMessaging.eventsSecret,
          });
          overrides.extraRoutes?.(server);
        }
      : overrides.extraRoutes;
  const routes =
    (demo === undefined && omDemo === undefined) || demoRoutes === undefined
      ? extraRoutes
      : (server: restify.Server): void => {
          extraRoutes?.(server);
          const simulator = demo?.simulator ?? omDemo?.simulator;
          if (simulator !== undefined) demoRoutes(server, simulator, () => boundPort);
        };

  const genesysReadiness =
    chosenProvider === undefined
      ? undefined
      : genesysCheck(
          config,
          demo !== undefined
            ? {
                webMessagingUrl: demo.simulator.webMessagingUrl,
                apiUrl: demo.simulator.apiUrl,
                deploymentId: DEMO_DEPLOYMENT_ID,
              }
            : omDemo !== undefined
              ? { loginUrl: omDemo.simulator.url }
              : {},
        );
  const readinessChecks: ReadinessCheck[] = [storageCheck(storage)];
  if (genesysReadiness !== undefined) readinessChecks.push(genesysReadiness);
  const readiness = new Readiness(readinessChecks, overrides.readiness);
  const stopObservingChats = telemetry().observeLiveChatsFrom(() => handoff.liveChatsByState());

  let phase: HealthStatus['status'] = 'starting';
  const server = createServer({
    adapter,
    runTurn: (context) => bot.run(context),
    logger,
    readiness,
    health: () => ({
      status: phase,
      storage: storage.kind,
      genesys: chosenProvider?.name ?? 'none',
      demo: config.demo,
      liveChats: handoff.localChatCount,
    }),
    ...(routes === undefined ? {} : { extraRoutes: routes }),
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    server,
    adapter,
    handoff,
    bot,
    storage,
    simulator: demo?.simulator,
    openMessagingSimulator: omDemo?.simulator,
    async start(port = config.port, host?: string): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        if (host === undefined) server.listen(port, resolve);
        else server.listen(port, host, resolve);
      });
      boundPort = server.address().port;
      omDemo?.simulator.setWebhookUrl(
        DEMO_OPEN_MESSAGING.integrationId,
        `http://127.0.0.1:${boundPort}${OPEN_MESSAGING_WEBHOOK_PATH}`,
      );
      await handoff.startBackground();
      phase = 'ok';
      return boundPort;
    },
    abort(): Promise<void> {
      stopping ??= (async () => {
        phase = 'stopping';
        stopObservingChats();
        await handoff.halt();
        server.server.closeAllConnections();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
        await storage.close();
        await demo?.simulator.stop();
        await omDemo?.simulator.stop();
      })();
      return stopping;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        phase = 'stopping';
        stopObservingChats();
        await handoff.shutdown();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.server.closeAllConnections();
        });
        await storage.close();
        await demo?.simulator.stop();
        await omDemo?.simulator.stop();
      })();
      return stopping;
    },
  };
}
