import { ReorderBuffer } from '../../../src/genesys/webMessaging/reorderBuffer';

describe('ReorderBuffer', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('with window 0 releases at once', () => {
    const released: string[] = [];
    const buffer = new ReorderBuffer<string>(0, (item) => released.push(item));
    buffer.add('a', 5);
    buffer.schedule();
    expect(released).toEqual(['a']);
  });

  it('holds for the window, then releases in time order; equal times keep arrival order, unknown times last', () => {
    jest.useFakeTimers();
    const released: [string, number][] = [];
    const buffer = new ReorderBuffer<string>(250, (item, timeMs) => released.push([item, timeMs]));
    buffer.add('late', 30);
    buffer.schedule();
    jest.advanceTimersByTime(100);
    buffer.add('untimed', Number.POSITIVE_INFINITY);
    buffer.add('early', 10);
    buffer.add('early too', 10);
    // A second arrival does not restart the window.
    buffer.schedule();
    jest.advanceTimersByTime(149);
    expect(released).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(released).toEqual([
      ['early', 10],
      ['early too', 10],
      ['late', 30],
      ['untimed', Number.POSITIVE_INFINITY],
    ]);
  });

  it('flush() releases at once and stops the window; discard() forgets', () => {
    jest.useFakeTimers();
    const released: string[] = [];
    const buffer = new ReorderBuffer<string>(250, (item) => released.push(item));
    buffer.add('a', 2);
    buffer.add('b', 1);
    buffer.schedule();
    buffer.flush();
    expect(released).toEqual(['b', 'a']);
    buffer.add('c', 3);
    buffer.schedule();
    buffer.discard();
    jest.advanceTimersByTime(1000);
    expect(released).toEqual(['b', 'a']);
    expect(jest.getTimerCount()).toBe(0);
  });
});
