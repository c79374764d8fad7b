import { Channels } from 'botbuilder';
import type { MarkdownTarget } from '../content/markdown';

/**
 * What a Bot Framework channel shows, as far as relaying agent content needs to know. Values come
 * from Learn "Channels reference" (2024-08) and the Teams, Slack and Meta documentation
 * (`docs/bot-framework-channels.md §1`, §2.2, §2.4, §3, §4).
 */
export interface ChannelProfile {
  /** How agent text is written: Markdown as is, Teams HTML, Slack mrkdwn, or plain text. */
  text: 'markdown' | MarkdownTarget;
  /** Where the agent's name goes: the activity's `from.name`, or a prefix of the text. */
  agentName: 'fromName' | 'prefix';
  /** Most suggested actions shown; 0: none (options become numbered text). */
  maxSuggestedActions: number;
  /** Suggested actions only on text-only messages (Teams). */
  suggestedActionsNeedTextOnly: boolean;
  /** Suggested actions only in one-to-one conversations (Teams: `conversationType: "personal"`). */
  suggestedActionsPersonalOnly: boolean;
  /** Whether hero cards render as cards (Slack turns them into unformatted text). */
  heroCards: boolean;
  /** Most buttons per card. */
  maxCardActions: number;
  /** Inline image limits; undefined: any image the channel can fetch. */
  inlineImages?: { maxBytes: number; contentTypes: readonly string[] };
  /**
   * Files other than inline images go through the channel's file consent flow in one-to-one chats
   * (Teams `conversationType: "personal"`, the app declaring `supportsFiles`): a file consent card,
   * then the file saved to the user's OneDrive (`docs/bot-framework-channels.md §2.5`).
   */
  fileConsentInPersonalChats?: boolean;
}

const WEB_CHAT: ChannelProfile = {
  text: 'markdown',
  agentName: 'fromName',
  maxSuggestedActions: 100,
  suggestedActionsNeedTextOnly: false,
  suggestedActionsPersonalOnly: false,
  heroCards: true,
  maxCardActions: 100,
};

/** Channels not listed here: plain text, names as a prefix, options as numbered text. */
const UNKNOWN: ChannelProfile = {
  text: 'plain',
  agentName: 'prefix',
  maxSuggestedActions: 0,
  suggestedActionsNeedTextOnly: false,
  suggestedActionsPersonalOnly: false,
  heroCards: false,
  maxCardActions: 0,
};

const PROFILES: Readonly<Record<string, ChannelProfile>> = {
  [Channels.Webchat]: WEB_CHAT,
  [Channels.Directline]: WEB_CHAT,
  [Channels.Emulator]: WEB_CHAT,
  // Bot Framework's own test channel (`TestAdapter`) carries activities as sent, like Direct Line.
  [Channels.Test]: WEB_CHAT,
  [Channels.Msteams]: {
    text: 'html',
    agentName: 'prefix',
    // Teams displays up to three suggested actions, on text-only messages in personal chats (§2.4).
    maxSuggestedActions: 3,
    suggestedActionsNeedTextOnly: true,
    suggestedActionsPersonalOnly: true,
    heroCards: true,
    maxCardActions: 3,
    // Inline pictures: at most 1 MB, PNG, JPEG or GIF (§2.2).
    inlineImages: { maxBytes: 1024 * 1024, contentTypes: ['image/png', 'image/jpeg', 'image/gif'] },
    // Bots send files with a file consent card, in personal scope only (§2.5).
    fileConsentInPersonalChats: true,
  },
  [Channels.Slack]: {
    text: 'slack',
    agentName: 'prefix',
    maxSuggestedActions: 0,
    suggestedActionsNeedTextOnly: false,
    suggestedActionsPersonalOnly: false,
    heroCards: false,
    maxCardActions: 0,
  },
  [Channels.Facebook]: {
    text: 'plain',
    agentName: 'prefix',
    maxSuggestedActions: 11,
    suggestedActionsNeedTextOnly: false,
    suggestedActionsPersonalOnly: false,
    heroCards: true,
    maxCardActions: 3,
  },
};

/** The profile of `channelId` (a Bot Framework channel id such as `msteams`). */
export function channelProfile(channelId: string | undefined): ChannelProfile {
  return PROFILES[channelId ?? ''] ?? UNKNOWN;
}
