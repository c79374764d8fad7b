import type { StructuredMessage } from './frames';
import type { HistoryBudget } from './historyBudget';
import type { HistoryClient } from './historyClient';
import { errorFromFrame, type WebMessagingConnection } from './webMessagingConnection';

/** What a history read found. */
export interface MissedHistory {
  /** Agent messages not yet seen, oldest first. */
  missing: StructuredMessage[];
  /** The newest history entry, when it is an agent `Presence Disconnect` (the agent left while we were away). */
  disconnect: StructuredMessage | undefined;
}

/** Options of {@link readMissedHistory}. */
export interface ReadMissedHistoryOptions {
  connection: WebMessagingConnection;
  /** Session token (a secret). */
  token: string;
  history: HistoryClient;
  /** The session's history reads (docs/genesys-protocol.md §5.7); every call waits for a token. */
  budget: HistoryBudget;
  pageSize: number;
  maxPages: number;
  /** True for an entry the user has already seen (or this session has handled). */
  isKnown: (entry: StructuredMessage) => boolean;
}

/**
 * Reads history newest first (docs/genesys-protocol.md §5.8: a `getJwt` on the socket, then the REST
 * history) until it reaches a known entry or runs out of pages, and returns the agent messages missed.
 */
export async function readMissedHistory(options: ReadMissedHistoryOptions): Promise<MissedHistory> {
  const { connection, token } = options;
  const jwtFrame = await connection.request((tracingId) => ({ action: 'getJwt', token, tracingId }));
  if (jwtFrame.kind !== 'jwtResponse') throw errorFromFrame(jwtFrame, 'jwt');
  const jwt = jwtFrame.body.jwt;
  const missing: StructuredMessage[] = [];
  let newest: StructuredMessage | undefined;
  for (let pageNumber = 1; pageNumber <= options.maxPages; pageNumber++) {
    const page = await options.history.fetchPage(jwt, pageNumber, options.pageSize, () => options.budget.take());
    if (pageNumber === 1) newest = page.entities[0];
    let reachedKnown = false;
    for (const entity of page.entities) {
      if (options.isKnown(entity)) {
        reachedKnown = true;
        continue;
      }
      if (entity.direction === 'Outbound' && entity.type !== 'Event') missing.push(entity);
    }
    const lastPage =
      page.pageCount !== undefined ? pageNumber >= page.pageCount : page.entities.length < options.pageSize;
    if (reachedKnown || lastPage) break;
  }
  // [I] history holds presence events: a Disconnect as the newest entry means the agent left while we were away.
  const disconnected =
    newest?.direction === 'Outbound' &&
    newest.events.some((e) => e.eventType === 'Presence' && e.presence?.type === 'Disconnect');
  return { missing, disconnect: disconnected ? newest : undefined };
}

/**
 * Runs one job at a time; a request while it runs schedules exactly one more run afterwards
 * (reconnects that arrive during a backfill are covered by one further backfill).
 */
export class CoalescingRunner {
  private running: Promise<void> | undefined;
  private again = false;

  /**
   * @param job the work to run.
   * @param mayRepeat whether a requested re-run should still happen (e.g. the chat is still live).
   */
  constructor(
    private readonly job: () => Promise<void>,
    private readonly mayRepeat: () => boolean,
  ) {}

  /** Runs the job, or joins the current run and schedules one more. Rejects with the job's failure. */
  run(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      let again = true;
      while (again) {
        this.again = false;
        await this.job();
        again = this.takeAgain();
      }
    })();
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Whether another run was requested during the last one (and may still happen); clears the request. */
  private takeAgain(): boolean {
    const again = this.again && this.mayRepeat();
    this.again = false;
    return again;
  }
}
