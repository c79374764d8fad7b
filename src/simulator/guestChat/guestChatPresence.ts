import type { WebSocket } from 'ws';
import type { GuestChatModel, SimConversation } from './guestChatModel';

/** Settings of {@link GuestPresence} (see `GuestChatSimulatorOptions`). */
export interface GuestPresenceSettings {
  /** Whether the guest shows `DISCONNECTED` while its event stream is away. */
  enabled: boolean;
  /** How long after the last stream closed Genesys notices. */
  awayDetectionMs: number;
  /** How long after a stream is attached again the guest shows `CONNECTED`. */
  reconnectLagMs: number;
  /** Send the guest's `member-change CONNECTED` when a stream attaches. */
  announceConnected: boolean;
}

/**
 * The guest member's presence as Genesys reports it. [O] docs/genesys-protocol.md §3.7:
 * `member-change DISCONNECTED` reports that a member's socket went away and the member can come back
 * `CONNECTED`; only a `member-leave` message marks leaving for good. So while the guest's event stream
 * is away the guest member shows `DISCONNECTED` (announced to whoever still listens), and some time
 * after a stream is attached again it shows `CONNECTED`. The delays are [U]; both are configurable.
 * While "away" the chat is not over: the guest may still send and leave.
 */
export class GuestPresence {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly model: GuestChatModel,
    private readonly settings: GuestPresenceSettings,
  ) {}

  /** A stream of `c` closed: once none is left, the guest is reported away after the detection delay. */
  streamClosed(c: SimConversation): void {
    if (!this.settings.enabled || c.state !== 'active' || c.sockets.size > 0) return;
    this.after(this.settings.awayDetectionMs, () => {
      if (c.state === 'active' && c.sockets.size === 0) this.reportAway(c);
    });
  }

  /** A stream of `c` attached: the guest is announced `CONNECTED` (after the lag when it was away). */
  streamAttached(c: SimConversation, ws: WebSocket): void {
    if (c.state !== 'active') return;
    if (!c.guestAway) {
      if (this.settings.announceConnected) this.model.sendMemberChange(c, c.guestId, 'CONNECTED', ws);
      return;
    }
    this.after(this.settings.reconnectLagMs, () => {
      if (c.state !== 'active' || !c.guestAway || c.sockets.size === 0) return;
      c.guestAway = false;
      this.model.setMemberState(c, c.guestId, 'CONNECTED');
      const guest = c.members.get(c.guestId);
      if (guest !== undefined) guest.leaveDate = null;
      this.model.sendMemberChange(c, c.guestId, 'CONNECTED');
    });
  }

  /**
   * Genesys reports the guest away now: `DISCONNECTED` to every stream still attached (when Genesys
   * takes a live stream for dead), then `CONNECTED` again after the lag if a stream is attached.
   */
  reportAway(c: SimConversation): void {
    if (c.state !== 'active') return;
    c.guestAway = true;
    this.model.setMemberState(c, c.guestId, 'DISCONNECTED');
    this.model.sendMemberChange(c, c.guestId, 'DISCONNECTED');
    for (const ws of c.sockets) this.streamAttached(c, ws);
  }

  /** Clears pending timers (the simulator stops). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private after(ms: number, action: () => void): void {
    if (ms <= 0) {
      action();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}
