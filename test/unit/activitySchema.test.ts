import { parseActivity } from '../../src/http/activitySchema';

const valid = {
  type: 'message',
  id: 'a1',
  channelId: 'emulator',
  serviceUrl: 'http://localhost:5000',
  timestamp: '2026-11-30T01:02:03.456Z',
  from: { id: 'user-1', name: 'Dana', role: 'user' },
  recipient: { id: 'bot', name: 'Bot' },
  conversation: { id: 'c1' },
  text: 'hello',
};

function problemsOf(body: unknown): string[] {
  const result = parseActivity(body);
  return result.ok ? [] : result.problems;
}

describe('parseActivity (the one activity schema at the edge)', () => {
  it('accepts an Emulator message and keeps fields it does not know', () => {
    const result = parseActivity({ ...valid, channelData: { clientActivityID: 'x' }, customField: [1] });
    expect(result).toMatchObject({ ok: true, activity: { ...valid, customField: [1] } });
  });

  it('accepts a Teams-style conversationUpdate with entities, attachments and members', () => {
    const result = parseActivity({
      ...valid,
      type: 'conversationUpdate',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      conversation: { id: '19:abc@thread.tacv2', isGroup: true, conversationType: 'channel', tenantId: 't' },
      membersAdded: [{ id: '29:1abc', aadObjectId: 'x' }],
      membersRemoved: [],
      entities: [{ type: 'clientInfo', locale: 'en-US' }],
      attachments: [{ contentType: 'text/html', content: '<p>x</p>' }],
      channelData: { tenant: { id: 't' } },
      value: { anything: [1, 'two', null] },
    });
    expect(result.ok).toBe(true);
  });

  it('treats null optional fields as absent', () => {
    const result = parseActivity({ ...valid, locale: null, attachments: null, from: { id: 'user-1', name: null } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.activity.from).toEqual({ id: 'user-1' });
    expect('locale' in result.activity && result.activity.locale !== undefined).toBe(false);
  });

  it('accepts any JSON value in value', () => {
    for (const value of [null, 0, 'x', [1, [2]], { a: { b: true } }])
      expect(parseActivity({ ...valid, value }).ok).toBe(true);
  });

  it.each([
    ['without from', { from: undefined }, '"from": is required'],
    ['from of the wrong type', { from: 'dana' }, '"from":'],
    ['from.id of the wrong type', { from: { id: 7 } }, '"from.id":'],
    ['recipient null', { recipient: null }, '"recipient":'],
    ['conversation as an array', { conversation: [] }, '"conversation":'],
    ['an empty conversation.id', { conversation: { id: '' } }, '"conversation.id": must not be empty'],
    ['attachments: [null]', { attachments: [null] }, '"attachments[0]":'],
    ['attachments as an object', { attachments: {} }, '"attachments":'],
    [
      'an attachment without contentType',
      { attachments: [{ contentUrl: 'https://x' }] },
      '"attachments[0].contentType": is required',
    ],
    ['entities: [1]', { entities: [1] }, '"entities[0]":'],
    ['an entity without type', { entities: [{}] }, '"entities[0].type": is required'],
    ['membersAdded: [null]', { membersAdded: [null] }, '"membersAdded[0]":'],
    ['a member id of the wrong type', { membersAdded: [{ id: {} }] }, '"membersAdded[0].id":'],
    ['membersRemoved as a string', { membersRemoved: 'all' }, '"membersRemoved":'],
    ['channelData as a string', { channelData: 'x' }, '"channelData":'],
    ['channelData as an array', { channelData: [] }, '"channelData":'],
    ['text as a number', { text: 1 }, '"text":'],
    ['a timestamp that is not a date', { timestamp: 'yesterday' }, '"timestamp": must be an ISO 8601 date and time'],
    ['a serviceUrl that is not http(s)', { serviceUrl: 'file:///etc/passwd' }, '"serviceUrl": must be an http(s) URL'],
    ['an unknown deliveryMode', { deliveryMode: 'stream' }, '"deliveryMode":'],
    ['an empty type', { type: '' }, '"type": must not be empty'],
  ])('refuses an activity with %s, naming the field', (_name, change, problem) => {
    const problems = problemsOf({ ...valid, ...change });
    expect(problems.join('\n')).toContain(problem);
  });

  it.each([[[1]], ['message'], [42], [null], [true]])('refuses %j: not an object', (body) => {
    expect(problemsOf(body)).toEqual(['the body must be a JSON object (an activity)']);
  });

  it('reports at most ten problems and counts the rest', () => {
    const members = Array.from({ length: 15 }, () => null);
    const problems = problemsOf({ ...valid, membersAdded: members });
    expect(problems).toHaveLength(11);
    expect(problems.at(-1)).toBe('and 5 more');
  });
});
