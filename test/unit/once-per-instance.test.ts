import { oncePerInstance } from '../../lambda/once-per-instance';

describe('oncePerInstance', () => {
  it('builds once and shares the result with every caller', async () => {
    // Prepare
    const build = jest.fn(async () => ({ built: true }));
    const get = oncePerInstance(build);

    // Act
    const [first, second] = await Promise.all([get(), get()]);
    const third = await get();

    // Assess
    expect(build).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('does not keep a failure: the next call builds again', async () => {
    // Prepare
    const build = jest.fn().mockRejectedValueOnce(new Error('SSM unreachable')).mockResolvedValueOnce('ready');
    const get = oncePerInstance(build as () => Promise<string>);

    // Act / Assess
    await expect(get()).rejects.toThrow('SSM unreachable');
    await expect(get()).resolves.toBe('ready');
    expect(build).toHaveBeenCalledTimes(2);
  });
});
