import { type Activity, ActionTypes, type Attachment, type CardAction as BotCardAction, CardFactory } from 'botbuilder';
import { type AnswerOption, type SlotFormat, answerOptions } from '../../content/answerOptions';
import type { AgentContent, Card, CardAction, ContentAttachment } from '../../content/content';
import { type Messages, messagesFor } from '../../resources/messages';
import { type ChannelProfile, channelProfile } from '../channelProfiles';
import { ChannelText } from './agentText';
import { withFacebookHumanAgentTag } from './facebookHumanAgentTag';
import { type FileConsentContextSigner, fileConsentCard } from './fileConsentCard';

/** How agent content is rendered besides the channel itself. */
export interface RenderOptions {
  /** The agent's display name; default: the content's sender name. */
  agentName?: string;
  /**
   * Prefix of agent text on channels that do not show `from.name` (Teams, Slack, Facebook), with
   * `{name}` for the agent's name (setting `HandoffAgentNamePrefix`, e.g. "{name}: "); empty: none.
   */
  namePrefix: string;
  /**
   * Add Messenger's human-agent message tag on Facebook (setting `FacebookHumanAgentTag`) to
   * messages a person wrote (not to those whose sender is an Architect bot flow).
   */
  facebookHumanAgentTag: boolean;
  /** The conversation's `conversationType` (Teams: `personal`, `groupChat`, `channel`). */
  conversationType?: string;
  /**
   * Signs the context of Teams file consent cards for this conversation
   * (`src/handoff/fileConsentSigning.ts`); without it, files in a Teams personal chat are shown as
   * cards with an "Open" button, as in other conversations.
   */
  signFileConsent?: FileConsentContextSigner;
  /**
   * The user's locale (BCP 47, the conversation reference's `locale`): the language of the labels
   * the bot adds ("Open", "Reply with the number of your choice:") and of time slots and file sizes;
   * default English.
   */
  locale?: string;
  /** How time slots are labelled; its locale defaults to `locale`, its time zone to UTC. */
  slotFormat?: SlotFormat;
}

/**
 * Renders an agent-side message for the channel `channelId` as the activities to send, in order:
 *
 * - text converted for the channel (Teams HTML, Slack mrkdwn, Facebook plain text, Markdown for Web
 *   Chat, Direct Line and the Emulator), with the agent's name as `from.name` (Web Chat, Direct Line,
 *   Emulator; see {@link sendKeepingSenderNames}) or as a text prefix elsewhere;
 * - files: images inline (within the channel's limits), other files as a Teams file consent card in
 *   a personal chat ({@link fileConsentCard}; the bot saves the file to the user's OneDrive once they
 *   accept), as a hero card with an "Open" button elsewhere, or as a link in the text where the
 *   channel cannot show cards (Slack);
 * - cards as hero cards, carousels with `attachmentLayout: "carousel"`, or as text with numbered
 *   options where the channel cannot show cards;
 * - quick replies and time slots as suggested actions within the channel's maximum, otherwise as
 *   numbered text options. Options are numbered as in {@link answerOptions}, and every button sends
 *   the option's `reply`, so {@link matchButtonAnswer} maps taps and typed numbers alike.
 *
 * Returns no activities when the content has nothing to show.
 */
export function renderAgentContent(
  channelId: string,
  content: AgentContent,
  options: RenderOptions,
): Partial<Activity>[] {
  const profile = channelProfile(channelId);
  const text = new ChannelText(profile);
  const messages = messagesFor(options.locale);
  const all = answerOptions(content, slotFormatOf(options));
  const optionFor = (response: { type: string; payload: string; text: string }): AnswerOption | undefined =>
    all.find(
      (o) =>
        o.response.type === response.type &&
        o.response.payload === response.payload &&
        o.response.text === response.text,
    );
  const buttonsAllowed =
    profile.maxSuggestedActions > 0 &&
    !(
      profile.suggestedActionsPersonalOnly &&
      options.conversationType !== undefined &&
      options.conversationType !== 'personal'
    );

  const signFileConsent =
    profile.fileConsentInPersonalChats === true && options.conversationType === 'personal'
      ? options.signFileConsent
      : undefined;

  const paragraphs: string[] = [];
  const files: Attachment[] = [];
  const cardActivities: Partial<Activity>[] = [];
  const choices: AnswerOption[] = [];
  const numbered: AnswerOption[] = [];

  for (const item of content.items) {
    switch (item.kind) {
      case 'text':
        if (item.text.trim() !== '') paragraphs.push(text.item(item));
        break;
      case 'attachment': {
        const shown = fileAttachment(item.attachment, profile, messages, options.locale, signFileConsent);
        if (shown === undefined)
          paragraphs.push(text.link(messages.agentAttachment(item.attachment.name), item.attachment.url));
        else files.push(shown);
        break;
      }
      case 'card':
      case 'carousel': {
        const cards = item.kind === 'card' ? [item.card] : item.cards;
        const cardOptions = cards.flatMap((card) => postbacks(card).map((a) => optionFor(buttonResponse(a))));
        const fit = profile.heroCards && cards.every((card) => card.actions.length <= profile.maxCardActions);
        if (fit) {
          const attachments = cards.map((card) => heroCard(card, (a) => optionFor(buttonResponse(a))));
          cardActivities.push({
            type: 'message',
            attachments,
            ...(item.kind === 'carousel' ? { attachmentLayout: 'carousel' as const } : {}),
          });
        } else {
          for (const card of cards) paragraphs.push(cardAsText(card, text));
          numbered.push(...cardOptions.filter((o): o is AnswerOption => o !== undefined));
        }
        break;
      }
      case 'quickReplies':
        for (const reply of item.replies) {
          const option = optionFor({ type: 'QuickReply', payload: reply.payload, text: reply.text });
          if (option !== undefined) choices.push(option);
        }
        break;
      case 'datePicker': {
        const title = item.title.trim() === '' ? messages.chooseTime : item.title;
        paragraphs.push(
          text.paragraphs([text.literal(title), item.subtitle === undefined ? '' : text.literal(item.subtitle)]),
        );
        // The picker's image only where any image shows inline (no size to check against limits).
        if (item.imageUrl !== undefined && profile.heroCards && profile.inlineImages === undefined) {
          files.push(imageAttachment(item.imageUrl, title));
        }
        choices.push(...all.filter((o) => o.response.type === 'DatePicker'));
        break;
      }
    }
  }

  const name = options.agentName ?? content.sender?.name;
  const main: Partial<Activity> = { type: 'message' };
  const body = text.paragraphs(paragraphs);
  const useSuggested = buttonsAllowed && choices.length > 0 && choices.length <= profile.maxSuggestedActions;
  if (!useSuggested) numbered.unshift(...choices);
  const list = numbered.length === 0 ? '' : numberedList(numbered, text, messages);

  const activities: Partial<Activity>[] = [];
  const trailing: string[] = [];
  if (body !== '' || files.length > 0) {
    main.text = body;
    if (files.length > 0) main.attachments = files;
    activities.push(main);
  }
  activities.push(...cardActivities);
  // Options follow the cards they belong to; with nothing after the text they join it.
  const last = activities.at(-1);
  if (list !== '') {
    if (last === main && files.length === 0) main.text = text.paragraphs([body, list]);
    else trailing.push(list);
  }
  if (useSuggested) {
    // Suggested actions ride on the last activity; a trailing text activity never has attachments.
    const carrier = trailing.length > 0 ? undefined : activities.at(-1);
    const canCarry =
      trailing.length > 0 ||
      (carrier !== undefined && (!profile.suggestedActionsNeedTextOnly || (carrier.attachments ?? []).length === 0));
    if (!canCarry) trailing.push(numberedList(choices, text, messages));
  }
  for (const t of trailing) activities.push({ type: 'message', text: t });
  if (useSuggested) {
    const carrier = activities.at(-1);
    if (carrier !== undefined) {
      carrier.suggestedActions = {
        to: [],
        actions: choices.map((o) => ({ type: ActionTypes.ImBack, title: o.text, value: o.reply })),
      };
    }
  }

  for (const activity of activities) {
    if (typeof activity.text === 'string') activity.textFormat = text.textFormat;
    if (name !== undefined && name !== '' && profile.agentName === 'fromName') {
      activity.from = { id: '', name, role: 'bot' };
    }
  }
  const first = activities[0];
  if (
    first !== undefined &&
    name !== undefined &&
    name !== '' &&
    profile.agentName === 'prefix' &&
    options.namePrefix !== ''
  ) {
    const prefix = text.literal(options.namePrefix.split('{name}').join(name));
    first.text = first.text === undefined || first.text === '' ? prefix.trimEnd() : `${prefix}${first.text}`;
    first.textFormat = text.textFormat;
  }
  // Meta allows the human-agent tag only on messages a person wrote, not on a bot flow's.
  const human = content.sender?.entity !== 'Bot';
  return options.facebookHumanAgentTag && human ? withFacebookHumanAgentTag(channelId, activities) : activities;
}

function buttonResponse(action: Extract<CardAction, { type: 'postback' }>): {
  type: string;
  payload: string;
  text: string;
} {
  return { type: 'Button', payload: action.payload, text: action.text };
}

function postbacks(card: Card): Extract<CardAction, { type: 'postback' }>[] {
  return card.actions.filter((a): a is Extract<CardAction, { type: 'postback' }> => a.type === 'postback');
}

/** A Bot Framework hero card for `card`; postback buttons send their option's reply. */
function heroCard(
  card: Card,
  optionOf: (action: Extract<CardAction, { type: 'postback' }>) => AnswerOption | undefined,
): Attachment {
  const button = (action: CardAction): BotCardAction =>
    action.type === 'link'
      ? { type: ActionTypes.OpenUrl, title: action.text, value: action.url }
      : { type: ActionTypes.ImBack, title: action.text, value: optionOf(action)?.reply ?? action.text };
  const hero = CardFactory.heroCard(
    card.title,
    card.imageUrl === undefined ? [] : [card.imageUrl],
    card.actions.map(button),
    card.subtitle === undefined ? {} : { subtitle: card.subtitle },
  );
  if (card.defaultAction !== undefined) (hero.content as { tap?: BotCardAction }).tap = button(card.defaultAction);
  return hero;
}

/** A card written out for channels without cards; its postback buttons are listed as numbered options. */
function cardAsText(card: Card, text: ChannelText): string {
  const lines = [text.literal(card.title)];
  if (card.subtitle !== undefined) lines.push(text.literal(card.subtitle));
  if (card.imageUrl !== undefined) lines.push(text.link(card.title, card.imageUrl));
  for (const action of card.actions) if (action.type === 'link') lines.push(text.link(action.text, action.url));
  return text.lines(lines);
}

/** The options as "n. label" lines under a line saying to reply with a number. */
function numberedList(options: readonly AnswerOption[], text: ChannelText, messages: Messages): string {
  return text.lines([
    text.literal(messages.chooseByNumber),
    ...options.map((o) => text.literal(`${o.number}. ${o.text}`)),
  ]);
}

/**
 * A file as the channel shows it: an inline image, a file consent card (Teams personal chats, when
 * `signFileConsent` is given), a card with an "Open" button, or undefined (a link in the text).
 */
function fileAttachment(
  file: ContentAttachment,
  profile: ChannelProfile,
  messages: Messages,
  locale: string | undefined,
  signFileConsent: FileConsentContextSigner | undefined,
): Attachment | undefined {
  if (file.contentType.startsWith('image/') && inlineImageFits(file, profile))
    return imageAttachment(file.url, file.name, file.contentType);
  if (signFileConsent !== undefined) return fileConsentCard(file, messages, locale, signFileConsent);
  if (!profile.heroCards) return undefined;
  return fileLinkCard(file, messages, locale);
}

/** A hero card naming `file` (and its size) with an "Open" button to its URL, in the user's language. */
export function fileLinkCard(file: ContentAttachment, messages: Messages, locale?: string): Attachment {
  return CardFactory.heroCard(
    file.name,
    [],
    [{ type: ActionTypes.OpenUrl, title: messages.openFile, value: file.url }],
    file.size === undefined ? {} : { subtitle: formatSize(file.size, locale) },
  );
}

/** The time slot format of `options`: its `slotFormat`, in the user's locale unless that names one. */
function slotFormatOf(options: RenderOptions): SlotFormat {
  const format = options.slotFormat ?? {};
  return format.locale === undefined && options.locale !== undefined ? { ...format, locale: options.locale } : format;
}

function inlineImageFits(file: ContentAttachment, profile: ChannelProfile): boolean {
  const limits = profile.inlineImages;
  if (limits === undefined) return true;
  return limits.contentTypes.includes(file.contentType) && file.size !== undefined && file.size <= limits.maxBytes;
}

function imageAttachment(url: string, name: string, contentType?: string): Attachment {
  return { contentType: contentType ?? 'image/*', contentUrl: url, name };
}

/**
 * A byte count for people in the user's locale (`Intl.NumberFormat`; English when the locale is
 * missing or unknown): "980 B", "12 KB", "3.4 MB" (German "3,4 MB"); 1 KB = 1,000 bytes.
 */
export function formatSize(bytes: number, locale?: string): string {
  const format = (value: number, digits: number): string => {
    const options = { maximumFractionDigits: digits, minimumFractionDigits: digits };
    try {
      return new Intl.NumberFormat(locale ?? 'en-GB', options).format(value);
    } catch {
      return new Intl.NumberFormat('en-GB', options).format(value);
    }
  };
  if (bytes < 1000) return `${format(bytes, 0)} B`;
  if (bytes < 1_000_000) return `${format(Math.round(bytes / 1000), 0)} KB`;
  return `${format(bytes / 1_000_000, 1)} MB`;
}
