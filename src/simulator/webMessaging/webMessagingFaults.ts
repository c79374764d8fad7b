import { sendText, type SimulatorHost } from '../kit/simulatorHost';
import type { Session, WebMessagingModel } from './webMessagingModel';
import type { DeliveryOptions } from './webMessagingTypes';

/**
 * Fault injection of the Web Messaging simulator: out-of-order and duplicate delivery, a stalled
 * server that leaves `echo` unanswered, dropped sockets, expiry on demand and raw frames.
 */
export class WebMessagingFaults {
  /** Whether `echo` health checks are answered. */
  answerEcho = true;
  /**
   * How long the answer (the echo) to an accepted guest message is held back (ms). [I] a busy Genesys
   * can acknowledge later than a client's response timeout; the message is accepted all the same
   * (docs/genesys-protocol.md §5.2).
   */
  guestAnswerDelayMs = 0;
  /** While true, every websocket upgrade is refused with HTTP 503 (a network or service outage). */
  outage = false;
  private delivery: Required<DeliveryOptions> = { reorder: 'none', batchMs: 100, duplicate: false };
  private batch: { session: Session; frame: Record<string, unknown> }[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private batchDone: (() => void) | undefined;
  private readonly held = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly model: WebMessagingModel,
    private readonly host: SimulatorHost,
  ) {}

  /** Changes delivery knobs (ordering and duplicates) for all later outbound frames. */
  setDelivery(options: DeliveryOptions): void {
    this.delivery = { ...this.delivery, ...options };
  }

  /** Sends an outbound frame, honouring the delivery knobs. */
  deliver(session: Session, frame: Record<string, unknown>): void {
    const frames = this.delivery.duplicate ? [frame, frame] : [frame];
    if (this.delivery.reorder === 'none') {
      for (const f of frames) this.model.broadcast(session, f);
      return;
    }
    for (const f of frames) this.batch.push({ session, frame: f });
    this.batchDone ??= this.host.beginWork();
    this.batchTimer ??= setTimeout(() => {
      this.flush();
    }, this.delivery.batchMs);
  }

  /** Runs `send` after {@link guestAnswerDelayMs} (at once when 0); a held answer counts as pending work. */
  answerGuest(send: () => void): void {
    const delayMs = this.guestAnswerDelayMs;
    if (delayMs <= 0) {
      send();
      return;
    }
    const done = this.host.beginWork();
    const timer = setTimeout(() => {
      this.held.delete(timer);
      send();
      done();
    }, delayMs);
    this.held.set(timer, done);
  }

  /** Terminates every socket of the session (the guest sees close code 1006). */
  dropConnections(session: Session): void {
    for (const connection of [...session.connections]) connection.ws.terminate();
  }

  /** Sends raw text to every connection of the session (malformed-frame tests). */
  sendRawFrame(session: Session, data: string): void {
    for (const connection of session.connections) sendText(connection.ws, data);
  }

  /** Drops held frames (the simulator stops). */
  stop(): void {
    if (this.batchTimer !== undefined) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.batch = [];
    this.batchDone?.();
    this.batchDone = undefined;
    for (const [timer, done] of this.held) {
      clearTimeout(timer);
      done();
    }
    this.held.clear();
  }

  private flush(): void {
    this.batchTimer = undefined;
    const batch = this.batch;
    this.batch = [];
    if (this.delivery.reorder === 'reverse') batch.reverse();
    else {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        const held = batch[i];
        const other = batch[j];
        if (held === undefined || other === undefined) continue;
        batch[i] = other;
        batch[j] = held;
      }
    }
    for (const item of batch) this.model.broadcast(item.session, item.frame);
    const done = this.batchDone;
    this.batchDone = undefined;
    done?.();
  }
}
