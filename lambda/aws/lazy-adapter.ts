/**
 * An adapter built on first use instead of at cold start. The SSM and DynamoDB adapters pull in the AWS SDK
 * (tens of milliseconds to load); a pasted error, the most common request, needs neither, so the first
 * request should not pay for them.
 *
 * `known` answers property reads that must not trigger the load (for example a description logged at start-up).
 *
 * @example
 * const store = lazyAdapter<RemediationStore>(() => new DynamoRemediationStore(options), { description: `dynamodb:${table}` });
 */
export function lazyAdapter<T extends object>(load: () => T, known: Partial<T> = {}): T {
  let instance: T | undefined;
  return new Proxy(known as T, {
    get(target, property, receiver) {
      if (Object.prototype.hasOwnProperty.call(target, property)) return Reflect.get(target, property, receiver);
      instance ??= load();
      const value = Reflect.get(instance, property, instance) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(instance) : value;
    },
  });
}
