import { GenesysError } from '../../src/genesys/genesysError';
import type {
  ButtonAnswer,
  ChatEvent,
  ChatListener,
  ChatSession,
  HandoffProvider,
  ResumeData,
  ResumeOptions,
  StartChatRequest,
} from '../../src/genesys/handoffProvider';

/** An agent message event from the agent Anna, sent now. */
export function agentMessage(id: string, text: string): ChatEvent {
  return { kind: 'agentMessage', id, text, time: new Date().toISOString(), agent: { name: 'Anna' }, attachments: [] };
}

/** A chat opened through the {@link FakeProvider}. */
export class FakeChat implements ChatSession {
  readonly sent: string[] = [];
  typingCount = 0;
  ended = false;
  detached = false;
  failSends = false;
  endError: GenesysError | undefined;

  constructor(
    readonly resumeData: ResumeData,
    private readonly listener: ChatListener,
    readonly request: StartChatRequest | undefined,
    readonly resumeOptions: ResumeOptions | undefined,
  ) {}

  /** Delivers an event as the provider would (awaiting the listener). */
  async emit(event: ChatEvent): Promise<void> {
    await this.listener(event);
  }

  sendText(text: string): Promise<void> {
    if (this.failSends) return Promise.reject(new GenesysError('network', 'send failed'));
    this.sent.push(text);
    return Promise.resolve();
  }

  /** Answers to structured content, as a provider that takes them (set to undefined to model one that does not). */
  readonly buttonResponses: ButtonAnswer[] = [];
  sendButtonResponse?: (answer: ButtonAnswer) => Promise<void> = (answer) => {
    if (this.failSends) return Promise.reject(new GenesysError('network', 'send failed'));
    this.buttonResponses.push(answer);
    return Promise.resolve();
  };

  sendTyping(): Promise<void> {
    this.typingCount++;
    return Promise.resolve();
  }

  end(): Promise<void> {
    if (this.endError !== undefined) return Promise.reject(this.endError);
    this.ended = true;
    return Promise.resolve();
  }

  detach(): Promise<void> {
    this.detached = true;
    return Promise.resolve();
  }
}

/**
 * A provider that keeps chats in memory and lets tests play the Genesys side. It emits `queued`
 * when a chat opens, as both real providers do.
 */
export class FakeProvider implements HandoffProvider {
  readonly name = 'webmessaging' as const;
  readonly chats: FakeChat[] = [];
  readonly resumed: FakeChat[] = [];
  readonly detachedSends: { token: string; text: string }[] = [];
  readonly detachedEnds: string[] = [];
  /** When set, the next startChat rejects with it. */
  startError: GenesysError | undefined;
  /** When set, resumeChat rejects with it. */
  resumeError: GenesysError | undefined;
  /** When set, startChat waits for this before resolving (to test races while a chat opens). */
  startGate: Promise<void> | undefined;
  /** When set, ending a chat fails with it. */
  endError: GenesysError | undefined;
  /** Events replayed by resumeChat (missed while no instance held the chat). */
  backlog: ChatEvent[] = [];
  private counter = 0;

  async startChat(request: StartChatRequest, listener: ChatListener): Promise<ChatSession> {
    if (this.startError !== undefined) {
      const error = this.startError;
      this.startError = undefined;
      throw error;
    }
    const chat = new FakeChat(
      { provider: 'webmessaging', token: `token-${++this.counter}` },
      listener,
      request,
      undefined,
    );
    chat.endError = this.endError;
    this.chats.push(chat);
    const gate = this.startGate;
    await listener({ kind: 'queued' });
    if (gate !== undefined) await gate;
    return chat;
  }

  async resumeChat(data: ResumeData, options: ResumeOptions, listener: ChatListener): Promise<ChatSession> {
    if (this.resumeError !== undefined) throw this.resumeError;
    const chat = new FakeChat(data, listener, undefined, options);
    this.resumed.push(chat);
    for (const event of this.backlog) {
      if (event.kind === 'agentMessage' && options.deliveredMessageIds.includes(event.id)) continue;
      await listener(event);
    }
    this.backlog = [];
    return chat;
  }

  sendDetached(data: ResumeData, text: string): Promise<void> {
    this.detachedSends.push({ token: data.provider === 'webmessaging' ? data.token : data.conversationId, text });
    return Promise.resolve();
  }

  endDetached(data: ResumeData): Promise<void> {
    this.detachedEnds.push(data.provider === 'webmessaging' ? data.token : data.conversationId);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The most recently opened chat. */
  get last(): FakeChat {
    const chat = this.chats.at(-1);
    if (chat === undefined) throw new Error('no chat was opened');
    return chat;
  }
}
