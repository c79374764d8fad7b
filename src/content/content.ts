import { lookup } from 'mime-types';

/**
 * The provider-neutral content model between the Genesys providers and the channels.
 *
 * A provider turns what Genesys sends into {@link AgentContent}; the channel layer renders it for
 * the user's channel. The channel layer turns what the user sends into {@link UserContent}; a
 * provider maps it to its own shapes. Each shape maps one to one to a Web Messaging
 * `StructuredMessage` content entry (`docs/genesys-protocol.md §5.5`, §5.14) and to the Open
 * Messaging normalized message (§6.2, §6.3):
 *
 * | Here | Web Messaging / Open Messaging `content[]` |
 * | --- | --- |
 * | {@link ContentAttachment} | `Attachment{id,url,filename,fileSize,mediaType,mime}` (Open Messaging: `contentSizeBytes`) |
 * | {@link QuickRepliesItem} | one `QuickReply{text,payload,action}` entry per reply |
 * | {@link CardItem} | `Card{title,description,image,defaultAction,actions[]}` |
 * | {@link CarouselItem} | `Carousel{cards[]}` |
 * | {@link DatePickerItem} | `DatePicker{title,subtitle,imageUrl,availableTimes[{dateTime,duration}]}` |
 * | {@link ButtonResponse} | `ButtonResponse{text,payload,type,originatingMessageId}` |
 */

/** Genesys' media classes of an attachment (`mediaType`, §5.5). */
export type MediaType = 'Image' | 'Video' | 'Audio' | 'File' | 'Link';

/** A file in either direction. */
export interface ContentAttachment {
  /** File name shown to the reader, with its extension (`filename`). */
  name: string;
  /**
   * MIME type (`mime`), e.g. `image/png`; `application/octet-stream` when unknown; `image/*` when the
   * channel does not say which image type (Teams pasted images: the download's `Content-Type` tells).
   */
  contentType: string;
  /**
   * Where the file can be read. From Genesys: a presigned download URL. From a channel: the
   * channel's `contentUrl` (see {@link ContentAttachment.needsBotToken}).
   */
  url: string;
  /** Size in bytes, when known (`fileSize` / `contentSizeBytes`). */
  size?: number;
  /** The file itself once downloaded (user → agent uploads). */
  bytes?: Uint8Array;
  /** Genesys' attachment id, when the file came from or went to Genesys. */
  id?: string;
  /**
   * True when `url` only opens with the bot's own Bot Framework token (Teams `/v3/attachments/...`
   * inline images, `docs/bot-framework-channels.md §2.3`); such a URL must never be shown to an agent.
   */
  needsBotToken?: boolean;
}

/** Text of a message. */
export interface TextItem {
  kind: 'text';
  text: string;
  /**
   * `markdown`: Genesys Markdown (the deployment's `messenger.apps.conversations.markdown.enabled`,
   * §5.13); `plain`: every character is meant literally.
   */
  format: 'plain' | 'markdown';
}

/** A file. */
export interface AttachmentItem {
  kind: 'attachment';
  attachment: ContentAttachment;
}

/** One quick reply: a suggested answer the user can tap (`QuickReply`). */
export interface QuickReply {
  /** What the user sees and, when tapped, sends. */
  text: string;
  /** What goes back to Genesys in the `ButtonResponse`. */
  payload: string;
}

/** Quick replies offered with the message (one Genesys `QuickReply` entry each). */
export interface QuickRepliesItem {
  kind: 'quickReplies';
  replies: QuickReply[];
}

/** A button of a card: opens a link, or posts an answer back (`Postback` / `Button`). */
export type CardAction =
  { type: 'link'; text: string; url: string } | { type: 'postback'; text: string; payload: string };

/** A card: title, optional subtitle and image, buttons. */
export interface Card {
  title: string;
  /** Genesys `description`. */
  subtitle?: string;
  imageUrl?: string;
  /** Action of a tap on the card itself. */
  defaultAction?: CardAction;
  actions: CardAction[];
}

/** One card. */
export interface CardItem {
  kind: 'card';
  card: Card;
}

/** Several cards side by side. */
export interface CarouselItem {
  kind: 'carousel';
  cards: Card[];
}

/** A bookable time slot of a {@link DatePickerItem}. */
export interface TimeSlot {
  /** ISO-8601 date and time with offset; sent back as the answer's payload. */
  dateTime: string;
  /** Genesys' `duration`; its unit is not documented (§5.14, fixtures use 30): shown as minutes. */
  duration?: number;
}

/** Genesys' "time slot picker" (`DatePicker`). */
export interface DatePickerItem {
  kind: 'datePicker';
  title: string;
  subtitle?: string;
  imageUrl?: string;
  slots: TimeSlot[];
}

/** Which kind of structured content an answer answers (Genesys `ButtonResponse.type`). */
export type ButtonResponseType = 'QuickReply' | 'Button' | 'DatePicker';

/** The user's answer to a quick reply, card button or time slot. */
export interface ButtonResponse {
  kind: 'buttonResponse';
  type: ButtonResponseType;
  /** Genesys id of the message that offered the choice (`originatingMessageId`). */
  originalMessageId: string;
  payload: string;
  /** The option's text, as the user saw it. */
  text: string;
}

/** Who wrote an agent-side message. */
export interface ContentSender {
  /** Display name (`channel.from.nickname`), when Genesys sends one. */
  name?: string;
  /** `Human` (an agent) or `Bot` (an Architect flow), Genesys' `originatingEntity`. */
  entity?: 'Human' | 'Bot';
}

/** One part of an agent message. */
export type AgentContentItem = TextItem | AttachmentItem | QuickRepliesItem | CardItem | CarouselItem | DatePickerItem;

/** One part of a user message. */
export type UserContentItem = TextItem | AttachmentItem | ButtonResponse;

/** A message from the agent side (agent or Architect bot flow), in the order Genesys sent its parts. */
export interface AgentContent {
  /** Genesys message id; the `originalMessageId` of answers to its choices. */
  messageId: string;
  sender?: ContentSender;
  items: AgentContentItem[];
}

/** A message from the user, as the agent should receive it. */
export interface UserContent {
  items: UserContentItem[];
}

/** The text of `content`: its text items joined by blank lines. */
export function contentText(content: { items: readonly (AgentContentItem | UserContentItem)[] }): string {
  return content.items
    .filter((item): item is TextItem => item.kind === 'text')
    .map((item) => item.text)
    .filter((text) => text.trim() !== '')
    .join('\n\n');
}

/** The attachments of `content`, in order. */
export function contentAttachments(content: {
  items: readonly (AgentContentItem | UserContentItem)[];
}): ContentAttachment[] {
  return content.items
    .filter((item): item is AttachmentItem => item.kind === 'attachment')
    .map((item) => item.attachment);
}

/** An agent message as a provider reports it without structured content: text and file links. */
export interface AgentTextMessage {
  /** Genesys message id. */
  id: string;
  text: string;
  agent: { name?: string };
  attachments: readonly { url: string; name?: string; contentType?: string; size?: number }[];
}

/**
 * `message` in the content model: its text (`format`: `markdown` when the deployment enables
 * Genesys Markdown) and its files, named and typed from the URL when Genesys left that out.
 */
export function agentMessageContent(message: AgentTextMessage, format: TextItem['format'] = 'plain'): AgentContent {
  const items: AgentContentItem[] = [];
  if (message.text.trim() !== '') items.push({ kind: 'text', text: message.text, format });
  for (const file of message.attachments) {
    const name = file.name ?? urlFileName(file.url) ?? 'file';
    const contentType = file.contentType ?? (lookup(name) || 'application/octet-stream');
    const attachment: ContentAttachment = { name, contentType, url: file.url };
    if (file.size !== undefined) attachment.size = file.size;
    items.push({ kind: 'attachment', attachment });
  }
  return {
    messageId: message.id,
    ...(message.agent.name === undefined ? {} : { sender: { name: message.agent.name, entity: 'Human' as const } }),
    items,
  };
}

/** The last segment of a URL's path, decoded, or undefined when there is none. */
export function urlFileName(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '') || undefined;
  } catch {
    // Not a URL the platform can parse (or a malformed escape): no name from it.
    return undefined;
  }
}
