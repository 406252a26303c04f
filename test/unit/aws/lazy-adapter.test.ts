import { lazyAdapter } from '../../../lambda/aws/lazy-adapter';

interface Counter {
  readonly description: string;
  next(): number;
}

class RealCounter implements Counter {
  public readonly description = 'real';
  private value = 0;
  public next(): number {
    this.value += 1;
    return this.value;
  }
}

describe('lazyAdapter', () => {
  it('builds nothing until a method is used, then builds once and keeps `this`', () => {
    // Prepare
    const load = jest.fn(() => new RealCounter());
    const counter = lazyAdapter<Counter>(load, { description: 'lazy' });

    // Act
    const description = counter.description;
    const before = load.mock.calls.length;
    const values = [counter.next(), counter.next()];

    // Assess
    expect(description).toBe('lazy');
    expect(before).toBe(0);
    expect(values).toEqual([1, 2]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reads properties of the real adapter once it is built', () => {
    const counter = lazyAdapter<Counter>(() => new RealCounter());
    expect(counter.description).toBe('real');
  });

  it('lets a failed build be retried on the next use', () => {
    // Prepare
    let attempts = 0;
    const counter = lazyAdapter<Counter>(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('SDK failed to load');
      return new RealCounter();
    });

    // Act / Assess
    expect(() => counter.next()).toThrow('SDK failed to load');
    expect(counter.next()).toBe(1);
  });
});
