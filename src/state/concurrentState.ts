import { ConversationState, UserState, type Storage, type StoreItem, type TurnContext } from 'botbuilder';

/** turnState keys for what was loaded and written in this turn, per state key. */
const SNAPSHOT = Symbol('stateSnapshot');

interface Snapshot {
  /** JSON of the state as loaded or last written (without eTag). */
  json: string;
  /** True after a write whose new eTag is not known yet. */
  etagStale: boolean;
}

function snapshots(context: TurnContext): Map<string, Snapshot> {
  let map = context.turnState.get<Map<string, Snapshot> | undefined>(SNAPSHOT);
  if (map === undefined) {
    map = new Map();
    context.turnState.set(SNAPSHOT, map);
  }
  return map;
}

function withoutEtag(state: Record<string, unknown>): string {
  const { eTag: _eTag, ...rest } = state;
  return JSON.stringify(rest);
}

/**
 * Writes `state` under `key` guarded by the eTag it was loaded with, so a concurrent write (another
 * instance's turn, a proactive agent message) makes this write fail with a conflict instead of being
 * lost. botbuilder's own `saveChanges` always writes with `eTag: '*'` (last writer wins).
 */
async function saveGuarded(
  storage: Storage,
  key: string,
  context: TurnContext,
  state: Record<string, unknown> | undefined,
  force: boolean,
): Promise<void> {
  if (state === undefined) return;
  const snaps = snapshots(context);
  const snap = snaps.get(key);
  const json = withoutEtag(state);
  if (!force && snap !== undefined && snap.json === json) return;
  if (snap?.etagStale === true) {
    // We wrote earlier in this turn: adopt the new eTag only if nobody wrote since.
    const current = (await storage.read([key]))[key] as StoreItem | undefined;
    if (current !== undefined && withoutEtag(current) === snap.json) state.eTag = current.eTag;
    else throw Object.assign(new Error(`Storage: error writing "${key}" due to eTag conflict.`), { code: 412 });
  }
  if (state.eTag === undefined || state.eTag === '*') {
    // Loaded before the document existed: writing without an eTag would overwrite whatever
    // another writer created meanwhile, so check first (the Storage interface has no create-only write).
    const current = (await storage.read([key]))[key] as StoreItem | undefined;
    if (current !== undefined && withoutEtag(current) !== (snap?.json ?? '{}')) {
      throw Object.assign(new Error(`Storage: error writing "${key}" due to eTag conflict.`), { code: 412 });
    }
    if (current !== undefined) state.eTag = current.eTag;
  }
  const item: StoreItem = { ...state };
  await storage.write({ [key]: item });
  snaps.set(key, { json, etagStale: true });
}

function remember(context: TurnContext, key: string, state: Record<string, unknown>): void {
  snapshots(context).set(key, { json: withoutEtag(state), etagStale: false });
}

/** Loads through `load` and remembers what was loaded, for change detection and eTag checks. */
async function loadRemembered(
  context: TurnContext,
  key: string,
  force: boolean,
  load: () => Promise<unknown>,
): Promise<Record<string, unknown>> {
  const known = snapshots(context).has(key);
  const state = (await load()) as Record<string, unknown>;
  if (force || !known) remember(context, key, state);
  return state;
}

/**
 * The storage key of a conversation's state outside a turn: what botbuilder's
 * `ConversationState.getStorageKey` derives from a turn's activity (no namespace).
 */
export function conversationStateKey(channelId: string, conversationId: string): string {
  return `${channelId}/conversations/${conversationId}/`;
}

/** Conversation state whose saves are guarded by eTags (see {@link saveGuarded}). */
export class ConcurrentConversationState extends ConversationState {
  override async load(context: TurnContext, force = false): Promise<Record<string, unknown>> {
    return loadRemembered(context, await this.storageKey(context), force, () => super.load(context, force));
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    await saveGuarded(
      this.storage,
      await this.storageKey(context),
      context,
      this.get(context) as Record<string, unknown> | undefined,
      force,
    );
  }
}

/** User state whose saves are guarded by eTags (see {@link saveGuarded}). */
export class ConcurrentUserState extends UserState {
  override async load(context: TurnContext, force = false): Promise<Record<string, unknown>> {
    return loadRemembered(context, await this.storageKey(context), force, () => super.load(context, force));
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    await saveGuarded(
      this.storage,
      await this.storageKey(context),
      context,
      this.get(context) as Record<string, unknown> | undefined,
      force,
    );
  }
}
