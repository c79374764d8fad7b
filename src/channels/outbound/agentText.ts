import type { TextItem } from '../../content/content';
import { convertMarkdown, escapeText } from '../../content/markdown';
import type { ChannelProfile } from '../channelProfiles';

/** Bot Framework `textFormat` values. */
export type TextFormat = 'markdown' | 'plain' | 'xml';

/**
 * Writes text for one channel: agent text (Markdown when the deployment enables it, else literal)
 * and the product's own labels, escaped for the channel's text format.
 */
export class ChannelText {
  /** The activity `textFormat` for text written here. */
  readonly textFormat: TextFormat;
  /** Line break in this format. */
  readonly newline: string;

  constructor(private readonly profile: ChannelProfile) {
    this.textFormat = profile.text === 'html' ? 'xml' : profile.text === 'markdown' ? 'markdown' : 'plain';
    this.newline = profile.text === 'html' ? '<br>' : '\n';
  }

  /** Literal text (labels, names, file names) as the channel must receive it to show it as is. */
  literal(text: string): string {
    return this.profile.text === 'markdown' ? text : escapeText(text, this.profile.text);
  }

  /** An agent text item for this channel. */
  item(item: TextItem): string {
    if (this.profile.text === 'markdown') return item.text;
    return item.format === 'markdown' ? convertMarkdown(item.text, this.profile.text) : this.literal(item.text);
  }

  /** A link with a label, in the channel's own link syntax where it has one. */
  link(label: string, url: string): string {
    switch (this.profile.text) {
      case 'html':
      case 'slack':
        return convertMarkdown(`[${escapeMarkdown(label)}](<${url}>)`, this.profile.text);
      case 'markdown':
        return `[${escapeMarkdown(label)}](<${url}>)`;
      case 'plain':
        return `${label}: ${url}`;
    }
  }

  /** Lines joined with the channel's line break, blank lines between paragraphs. */
  lines(lines: readonly string[]): string {
    return lines.join(this.newline);
  }

  /** Paragraphs joined by a blank line. */
  paragraphs(paragraphs: readonly string[]): string {
    return paragraphs.filter((p) => p !== '').join(this.newline + this.newline);
  }
}

/** Backslash-escapes Markdown's punctuation so a label is shown literally inside `[...]`. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}
