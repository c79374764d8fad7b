import { createSilentLogger } from '../../src/logger';
import { createStorage } from '../../src/storage/createStorage';
import { parseRequestCharge, RequestChargeCounter } from '../../src/storage/requestCharge';
import { testConfig } from '../support/testConfig';

describe('parseRequestCharge', () => {
  it.each([
    ['1', 1],
    ['5.71', 5.71],
    [' 2.5 ', 2.5],
    ['0', 0],
    [3.25, 3.25],
  ])('reads %p as %p request units', (value, expected) => {
    expect(parseRequestCharge(value)).toBe(expected);
  });

  it.each([undefined, null, '', ' ', 'abc', '-1', '1.2.3', 'NaN', 'Infinity', '1,5', -1, Number.NaN, {}, ['1']])(
    'reads %p as no charge',
    (value) => {
      expect(parseRequestCharge(value)).toBeUndefined();
    },
  );
});

describe('RequestChargeCounter', () => {
  it('sums well-formed headers and ignores missing or malformed ones', () => {
    const counter = new RequestChargeCounter();
    counter.addFromHeaders({ 'x-ms-request-charge': '1.5' });
    counter.addFromHeaders(undefined);
    counter.addFromHeaders({});
    counter.addFromHeaders({ 'x-ms-request-charge': 'oops' });
    counter.addFromHeaders({ 'x-ms-request-charge': '6.25' });
    expect(counter.snapshot()).toEqual({ requestUnits: 7.75, chargedResponses: 2 });
  });

  it('stays at zero for in-memory storage, and a shared counter is the one the bundle exposes', async () => {
    const shared = new RequestChargeCounter();
    const storage = await createStorage(testConfig(), createSilentLogger(), { requestCharge: shared });
    await storage.botStorage.write({ k: { v: 1 } });
    await storage.handoffStore.create({ id: 'a' });
    expect(storage.requestCharge).toBe(shared);
    expect(shared.snapshot()).toEqual({ requestUnits: 0, chargedResponses: 0 });
  });
});
