import type { Activity, Attachment, Entity } from 'botbuilder';
import { listOf } from './activityFields';
import { decode } from 'html-entities';
import { HTMLElement, type Node, NodeType, parse } from 'node-html-parser';

/**
 * Microsoft Teams → the text the agent reads (`docs/bot-framework-channels.md §2.1`).
 *
 * Teams removes anything typed between angle brackets from `text` ("My serial is <AB-12>" arrives as
 * "My serial is "), while the `text/html` attachment keeps it escaped; mentions appear as
 * `<at>Name</at>` with a `mention` entity each. The text is taken from the HTML attachment when it
 * carries at least as much as `text`, entities are decoded, the bot's own mentions are removed and
 * other mentions become the person's name.
 */
export function teamsText(activity: Partial<Activity>, botId: string): string {
  const mentions = mentionEntities(activity.entities);
  const plain = teamsPlainText(typeof activity.text === 'string' ? activity.text : '', mentions, botId);
  const html = listOf<Attachment>(activity.attachments).find(
    (a) => a.contentType === 'text/html' && typeof a.content === 'string' && a.content.trim() !== '',
  );
  if (html === undefined) return plain;
  const rich = htmlToText(html.content as string, mentions, botId);
  return rich !== '' && visibleLength(rich) >= visibleLength(plain) ? rich : plain;
}

/** A Teams `mention` entity (`{type:"mention", mentioned:{id,name}, text:"<at>Name</at>"}`). */
interface Mention {
  id: string;
  name: string;
  text: string;
}

function mentionEntities(entities: Entity[] | undefined): Mention[] {
  const mentions: Mention[] = [];
  for (const entity of listOf<Entity>(entities)) {
    if (entity.type !== 'mention') continue;
    const mentioned: unknown = entity.mentioned;
    const text: unknown = entity.text;
    if (typeof mentioned !== 'object' || mentioned === null) continue;
    const { id, name } = mentioned as { id?: unknown; name?: unknown };
    if (typeof id !== 'string') continue;
    const shown = typeof text === 'string' ? text : '';
    const label = typeof name === 'string' ? name : decode(shown.replace(/^<at[^>]*>|<\/at>$/g, ''));
    mentions.push({ id, name: label, text: shown });
  }
  return mentions;
}

/** `text` with the bot's mentions removed, other mentions as names, entities decoded. */
function teamsPlainText(text: string, mentions: readonly Mention[], botId: string): string {
  let result = text;
  for (const mention of mentions) {
    if (mention.text === '') continue;
    result = result.split(mention.text).join(mention.id === botId ? '' : mention.name);
  }
  return tidy(decode(result, { level: 'html5' }));
}

const BLOCKS = new Set([
  'p',
  'div',
  'li',
  'ul',
  'ol',
  'tr',
  'table',
  'blockquote',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
]);
const MENTION_TYPE = 'http://schema.skype.com/Mention';
const EMOJI_TYPE = 'http://schema.skype.com/Emoji';

/** The text of Teams message HTML, mentions resolved as in {@link teamsText}. */
function htmlToText(html: string, mentions: readonly Mention[], botId: string): string {
  const botNames = new Set(mentions.filter((m) => m.id === botId).map((m) => m.name));
  const out: string[] = [];
  const walk = (node: Node, pre: boolean): void => {
    if (node.nodeType === NodeType.TEXT_NODE) {
      const text = decode(node.rawText, { level: 'html5' });
      out.push(pre ? text : text.replace(/[ \t\r\n]+/g, ' '));
      return;
    }
    if (!(node instanceof HTMLElement)) return;
    const tag = node.rawTagName.toLowerCase();
    const itemType = node.getAttribute('itemtype') ?? '';
    if (tag === 'at' || itemType === MENTION_TYPE) {
      const name = decode(node.rawText, { level: 'html5' }).trim();
      const index = Number(node.getAttribute('id') ?? node.getAttribute('itemid') ?? Number.NaN);
      const byIndex = Number.isInteger(index) ? mentions[index] : undefined;
      const isBot = byIndex !== undefined && byIndex.name === name ? byIndex.id === botId : botNames.has(name);
      if (!isBot) out.push(name);
      return;
    }
    if (tag === 'img') {
      // Teams emoji are images whose alt text is the emoji itself; other images arrive as attachments.
      if (itemType === EMOJI_TYPE) out.push(node.getAttribute('alt') ?? '');
      return;
    }
    if (tag === 'script' || tag === 'style') return;
    if (tag === 'br') {
      out.push('\n');
      return;
    }
    const block = BLOCKS.has(tag);
    // Blocks start and end a line; adjacent blocks share one line break.
    const breakLine = (): void => {
      if (!(out.at(-1) ?? '\n').endsWith('\n')) out.push('\n');
    };
    if (block) breakLine();
    if (tag === 'li') out.push('- ');
    const start = out.length;
    for (const child of node.childNodes) walk(child, pre || tag === 'pre');
    if (tag === 'a') {
      const href = node.getAttribute('href') ?? '';
      const label = out.slice(start).join('').trim();
      if (href !== '' && label !== href && !href.startsWith('mailto:')) out.push(` (${href})`);
    }
    if (block) breakLine();
  };
  // The parsed root is a container without a tag: walk its children.
  for (const node of parse(html, { comment: false }).childNodes) walk(node, false);
  return tidy(out.join(''));
}

/** Non-breaking spaces as spaces, no trailing spaces, at most one blank line, trimmed. */
function tidy(text: string): string {
  return text
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function visibleLength(text: string): number {
  return text.replace(/\s+/g, '').length;
}
