import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { BENCH_AGENT_NAME, type BenchGenesys } from './benchGenesys';
import { machineCpu, machineShare, type MachineShare } from './machineLoad';
import type { CpuSample, StartResult } from './protocol';
import { summarize, type LatencySummary } from './stats';
import type { WorkerHandle } from './workerHandle';

/** One Bot Framework conversation with a live chat behind it. */
export interface BenchChat {
  index: number;
  conversationId: string;
  /** The simulator's conversation id, once Genesys saw the chat. */
  simId: string | undefined;
  /** True once the agent joined and their first message reached the user. */
  ready: boolean;
}

/** Messages of one measurement phase still in flight. */
interface Phase {
  outstanding: number;
  lastAt: number;
}

interface PendingMessage {
  sentAt: number;
  sink: number[];
  phase: Phase;
  resolve?: () => void;
}

/** What opening chats measured. */
export interface OpenResult {
  opened: number;
  failed: number;
  durationMs: number;
  chatsPerSecond: number;
  /** POST "talk to an agent" -> the simulator sees the conversation. */
  setup: LatencySummary;
  /** POST "talk to an agent" -> HTTP answer. */
  post: LatencySummary;
  /** Agent's first message -> the user receives it (includes the "now chatting" turn). */
  firstAgentMessage: LatencySummary;
  /** Relay CPU per opened chat, including the agent's first message (ms). */
  cpuMsPerChat: number;
  cpu: CpuSample;
}

/** What a load phase measured. */
export interface LoadResult {
  chats: number;
  ratePerDirection: number;
  durationMs: number;
  userSent: number;
  agentSent: number;
  /** Sent but not seen on the other side within the drain time. */
  lost: number;
  httpErrors: number;
  /** Answers to user-message POSTs by HTTP status (-1: connection error). */
  httpStatuses: Record<string, number>;
  userToAgent: LatencySummary;
  agentToUser: LatencySummary;
  /** POST /api/messages round trip of user messages. */
  userPost: LatencySummary;
  cpu: CpuSample;
  /** Machine CPU over the phase: a large `otherCores` outside the Cosmos config means foreign load. */
  machine: MachineShare | undefined;
}

/** What a restart measured. */
export interface RecoveryResult {
  chats: number;
  stopMs: number;
  /** Command -> new app listening with its start-up recovery done. */
  startMs: number;
  /** Command -> every chat delivered the agent message said while the bot was down. */
  allResumedMs: number;
  /** Per chat: command -> that chat's message delivered. */
  perChat: LatencySummary;
  missing: number;
}

const MARKER_USER = /#u(\d+)/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Drives one relay (the bot or the baseline) from the orchestrator: opens live chats through HTTP
 * like the Emulator, joins an agent on the simulator, runs steady two-way load and restarts,
 * measuring everything on the orchestrator's clock.
 */
export class Scenario {
  readonly chats: BenchChat[] = [];
  private readonly byConversation = new Map<string, BenchChat>();
  private readonly startWaiters = new Map<string, (at: number) => void>();
  private readonly pendingAgent = new Map<number, PendingMessage>();
  private readonly pendingUser = new Map<number, PendingMessage>();
  private readonly httpAgent = new Agent({ keepAlive: true, maxSockets: 128 });
  private seq = 0;

  constructor(
    private readonly sim: BenchGenesys,
    private readonly serviceUrl: string,
    private readonly worker: WorkerHandle,
    private port: number,
    private readonly runId: string,
  ) {
    sim.onConversationStarted((botConversationId, simId, at) => {
      const chat = this.byConversation.get(botConversationId);
      if (chat === undefined) return;
      chat.simId = simId;
      const waiter = this.startWaiters.get(chat.conversationId);
      this.startWaiters.delete(chat.conversationId);
      waiter?.(at);
    });
    sim.onCustomerText((text, at) => {
      const match = MARKER_USER.exec(text);
      if (match?.[1] === undefined) return;
      this.settle(this.pendingUser, Number(match[1]), at);
    });
  }

  /** Feed of the connector recorder. */
  readonly onAgentMarker = (seq: number, at: number): void => {
    this.settle(this.pendingAgent, seq, at);
  };

  /** Live chats ready for load. */
  get readyCount(): number {
    return this.chats.filter((c) => c.ready).length;
  }

  /** Opens chats until there are `target`, `concurrency` at a time. */
  async openTo(target: number, concurrency: number): Promise<OpenResult> {
    const setup: number[] = [];
    const post: number[] = [];
    const first: number[] = [];
    const phase: Phase = { outstanding: 0, lastAt: 0 };
    const todo: BenchChat[] = [];
    for (let i = this.chats.length; i < target; i++) {
      const chat: BenchChat = { index: i, conversationId: `bench-${this.runId}-${i}`, simId: undefined, ready: false };
      this.chats.push(chat);
      this.byConversation.set(chat.conversationId, chat);
      todo.push(chat);
    }
    let failed = 0;
    let next = 0;
    await this.worker.request({ cmd: 'cpuStart' });
    const began = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(concurrency, todo.length) }, async () => {
        while (next < todo.length) {
          const chat = todo[next++];
          if (chat === undefined) break;
          const ok = await this.openOne(chat, { setup, post, first, phase }).catch(() => false);
          if (!ok) failed++;
        }
      }),
    );
    const durationMs = performance.now() - began;
    const cpu = await this.worker.request<CpuSample>({ cmd: 'cpuStop' });
    return {
      cpu,
      cpuMsPerChat: (cpu.userMs + cpu.systemMs) / Math.max(1, todo.length),
      opened: todo.length - failed,
      failed,
      durationMs,
      chatsPerSecond: todo.length / (durationMs / 1000),
      setup: summarize(setup),
      post: summarize(post),
      firstAgentMessage: summarize(first),
    };
  }

  /** Steady two-way load: `ratePerDirection` user and agent messages per second over the ready chats. */
  async load(
    ratePerDirection: number,
    durationMs: number,
    drainMs = 15_000,
    directions: 'both' | 'userToAgent' | 'agentToUser' = 'both',
  ): Promise<LoadResult> {
    const ready = this.chats.filter((c) => c.ready);
    const n = ready.length;
    if (n === 0) throw new Error('bench: no live chats to load');
    const userToAgent: number[] = [];
    const agentToUser: number[] = [];
    const userPost: number[] = [];
    const phase: Phase = { outstanding: 0, lastAt: 0 };
    const total = Math.floor((ratePerDirection * durationMs) / 1000);
    // A one-way phase counts the other direction as already sent.
    let userSent = directions === 'agentToUser' ? total : 0;
    let agentSent = directions === 'userToAgent' ? total : 0;
    let httpErrors = 0;
    const httpStatuses: Record<string, number> = {};
    let iu = 0;
    let ia = Math.floor(n / 2);
    await this.worker.request({ cmd: 'cpuStart' });
    const machineBefore = machineCpu();
    const orchestratorBefore = process.cpuUsage();
    const began = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - began;
        const due = Math.min(total, Math.floor((ratePerDirection * elapsed) / 1000));
        while (userSent < due) {
          const chat = ready[iu++ % n];
          userSent++;
          if (chat === undefined) continue;
          const seq = ++this.seq;
          const sentAt = performance.now();
          this.track(this.pendingUser, seq, sentAt, userToAgent, phase);
          void this.postUser(chat, `Question ${userSent} #u${seq}`).then((status) => {
            userPost.push(performance.now() - sentAt);
            httpStatuses[String(status)] = (httpStatuses[String(status)] ?? 0) + 1;
            if (status !== 200) httpErrors++;
          });
        }
        while (agentSent < due) {
          const chat = ready[ia++ % n];
          agentSent++;
          if (chat?.simId === undefined) continue;
          const seq = ++this.seq;
          this.track(this.pendingAgent, seq, performance.now(), agentToUser, phase);
          this.sim.agentSend(chat.simId, `Answer ${agentSent} #a${seq}`);
        }
        if (userSent >= total && agentSent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    await this.drain(phase, drainMs);
    const cpu = await this.worker.request<CpuSample>({ cmd: 'cpuStop' });
    const orchestrator = process.cpuUsage(orchestratorBefore);
    const machine = machineShare(
      machineBefore,
      machineCpu(),
      cpu.wallMs,
      cpu.userMs + cpu.systemMs,
      (orchestrator.user + orchestrator.system) / 1000,
    );
    return {
      machine,
      chats: n,
      ratePerDirection,
      durationMs: performance.now() - began,
      userSent,
      agentSent,
      lost: phase.outstanding,
      httpErrors,
      httpStatuses,
      userToAgent: summarize(userToAgent),
      agentToUser: summarize(agentToUser),
      userPost: summarize(userPost),
      cpu,
    };
  }

  /** CPU of the relay while the chats are idle. */
  async idle(ms: number): Promise<CpuSample> {
    await this.worker.request({ cmd: 'cpuStart' });
    await sleep(ms);
    return this.worker.request<CpuSample>({ cmd: 'cpuStop' });
  }

  /**
   * Stops the relay gracefully, has every agent write while it is down, starts a new relay on the
   * same storage and measures until every chat delivered that message.
   */
  async restart(reorderWindowMs: number | undefined, timeoutMs: number): Promise<RecoveryResult> {
    const ready = this.chats.filter((c) => c.ready);
    const { stopMs } = await this.worker.request<{ stopMs: number }>({ cmd: 'stopApp' });
    const seqs: number[] = [];
    for (const chat of ready) {
      if (chat.simId === undefined) continue;
      const seq = ++this.seq;
      seqs.push(seq);
      this.sim.agentSend(chat.simId, `While you were away #a${seq}`);
    }
    const perChat: number[] = [];
    const phase: Phase = { outstanding: 0, lastAt: 0 };
    const began = performance.now();
    for (const seq of seqs) this.track(this.pendingAgent, seq, began, perChat, phase);
    const start = await this.worker.request<StartResult>({ cmd: 'startApp', reorderWindowMs });
    this.port = start.port;
    await this.drain(phase, timeoutMs);
    return {
      chats: seqs.length,
      stopMs,
      startMs: start.startMs,
      allResumedMs: phase.outstanding === 0 ? phase.lastAt - began : Number.NaN,
      perChat: summarize(perChat),
      missing: phase.outstanding,
    };
  }

  /** Drops bookkeeping and keep-alive sockets. */
  close(): void {
    this.httpAgent.destroy();
    this.pendingAgent.clear();
    this.pendingUser.clear();
  }

  private async openOne(
    chat: BenchChat,
    sinks: { setup: number[]; post: number[]; first: number[]; phase: Phase },
  ): Promise<boolean> {
    let startedAt = Number.NaN;
    const started = new Promise<void>((resolve) => {
      this.startWaiters.set(chat.conversationId, (at) => {
        startedAt = at;
        resolve();
      });
    });
    const t0 = performance.now();
    const status = await this.postUser(chat, 'talk to an agent');
    sinks.post.push(performance.now() - t0);
    if (status !== 200) return false;
    if (!(await within(started, 30_000))) return false;
    sinks.setup.push(startedAt - t0);
    if (chat.simId === undefined) return false;
    await this.sim.agentJoin(chat.simId);
    const seq = ++this.seq;
    const delivered = new Promise<void>((resolve) => {
      this.track(this.pendingAgent, seq, performance.now(), sinks.first, sinks.phase, resolve);
    });
    this.sim.agentSend(chat.simId, `Hello, I am ${BENCH_AGENT_NAME}. How can I help? #a${seq}`);
    if (!(await within(delivered, 30_000))) return false;
    chat.ready = true;
    return true;
  }

  private track(
    map: Map<number, PendingMessage>,
    seq: number,
    sentAt: number,
    sink: number[],
    phase: Phase,
    resolve?: () => void,
  ): void {
    phase.outstanding++;
    map.set(seq, resolve === undefined ? { sentAt, sink, phase } : { sentAt, sink, phase, resolve });
  }

  private settle(map: Map<number, PendingMessage>, seq: number, at: number): void {
    const pending = map.get(seq);
    if (pending === undefined) return;
    map.delete(seq);
    pending.sink.push(at - pending.sentAt);
    pending.phase.outstanding--;
    pending.phase.lastAt = Math.max(pending.phase.lastAt, at);
    pending.resolve?.();
  }

  private async drain(phase: Phase, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (phase.outstanding > 0 && performance.now() < deadline) await sleep(5);
  }

  private postUser(chat: BenchChat, text: string): Promise<number> {
    const body = JSON.stringify({
      type: 'message',
      id: `act-${++this.seq}`,
      channelId: 'emulator',
      serviceUrl: this.serviceUrl,
      text,
      timestamp: new Date().toISOString(),
      from: { id: `user-${chat.index}`, name: 'Dana Customer', role: 'user' },
      recipient: { id: 'bot', name: 'Bot', role: 'bot' },
      conversation: { id: chat.conversationId },
    });
    return new Promise<number>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: this.port,
        path: '/api/messages',
        method: 'POST',
        agent: this.httpAgent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      });
      req.on('error', () => {
        resolve(-1);
      });
      req.end(body);
    });
  }
}

/** True when `promise` settles within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}
