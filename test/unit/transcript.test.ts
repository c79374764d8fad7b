import { appendToTranscript, emptyTranscript, formatTranscriptForAgent } from '../../src/transcript/transcript';

const at = '2026-11-21T09:15:00.000Z';

describe('transcript', () => {
  it('keeps at most maxEntries, dropping the oldest and counting them', () => {
    const t = emptyTranscript();
    for (let i = 1; i <= 5; i++)
      appendToTranscript(t, { role: 'user', text: `m${i}`, at }, { maxEntries: 3, maxChars: 1000 });
    expect(t.entries.map((e) => e.text)).toEqual(['m3', 'm4', 'm5']);
    expect(t.dropped).toBe(2);
  });

  it('keeps at most maxChars and cuts a single huge entry', () => {
    const t = emptyTranscript();
    appendToTranscript(t, { role: 'user', text: 'a'.repeat(60), at }, { maxEntries: 10, maxChars: 100 });
    appendToTranscript(t, { role: 'bot', text: 'b'.repeat(60), at }, { maxEntries: 10, maxChars: 100 });
    expect(t.entries.map((e) => e.role)).toEqual(['bot']);
    appendToTranscript(t, { role: 'user', text: 'c'.repeat(500), at }, { maxEntries: 10, maxChars: 100 });
    expect(t.entries.at(-1)?.text.length).toBe(100);
    expect(t.entries.reduce((n, e) => n + e.text.length, 0)).toBeLessThanOrEqual(100);
  });

  it('formats who said what for the agent, leaving out system notes', () => {
    const t = emptyTranscript();
    const limits = { maxEntries: 10, maxChars: 1000 };
    appendToTranscript(t, { role: 'user', name: 'Dana', text: 'Where is my\norder?', at }, limits);
    appendToTranscript(t, { role: 'bot', text: 'You can track it.', at }, limits);
    appendToTranscript(t, { role: 'system', text: 'Waiting for an agent.', at }, limits);
    expect(formatTranscriptForAgent(t, 1000)).toBe(
      'Conversation with the virtual assistant so far:\n[09:15] Dana: Where is my order?\n[09:15] Bot: You can track it.',
    );
  });

  it('drops the oldest lines to fit and says how many', () => {
    const t = emptyTranscript();
    for (let i = 1; i <= 50; i++)
      appendToTranscript(t, { role: 'user', text: `question number ${i}`, at }, { maxEntries: 100, maxChars: 10_000 });
    const text = formatTranscriptForAgent(t, 300);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toContain('question number 50');
    expect(text).not.toContain('question number 1\n');
    expect(text).toMatch(/\(\d+ earlier messages not shown\)/);
  });
});
