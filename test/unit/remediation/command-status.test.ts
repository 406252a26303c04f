import fc from 'fast-check';
import { isNewerStatus, isTerminalStatus, outcomeOf, statusRank } from '../../../lambda/core/remediation/command-status';

const statuses = ['Pending', 'Delayed', 'InProgress', 'Cancelling', 'Success', 'Failed', 'TimedOut', 'Cancelled', 'Undeliverable', 'Terminated', 'Access Denied'];

describe('command status ordering', () => {
  it('never lets a status replace a terminal one, whatever order events arrive in', () => {
    // Act + Assess
    fc.assert(fc.property(fc.array(fc.constantFrom(...statuses), { minLength: 1, maxLength: 12 }), (arrivals) => {
      let current: string | undefined;
      for (const next of arrivals) {
        const wasTerminal = current !== undefined && isTerminalStatus(current);
        if (isNewerStatus(current, next)) {
          expect(wasTerminal).toBe(false);
          current = next;
        }
      }
      // The first terminal status to arrive is the one that stays.
      const firstTerminal = arrivals.find(isTerminalStatus);
      if (firstTerminal) expect(current).toBe(firstTerminal);
    }));
  });

  it('treats duplicates as no-ops and orders Pending < InProgress < terminal', () => {
    // Act + Assess
    expect(isNewerStatus('InProgress', 'InProgress')).toBe(false);
    expect(statusRank('Pending')).toBeLessThan(statusRank('InProgress'));
    expect(statusRank('InProgress')).toBeLessThan(statusRank('Success'));
    expect(isTerminalStatus('Access Denied')).toBe(true);
  });

  it('fails a request when any instance did not succeed', () => {
    // Act + Assess
    expect(outcomeOf(['Success', 'Success'])).toBe('succeeded');
    expect(outcomeOf(['Success', 'Failed'])).toBe('failed');
    expect(outcomeOf(['Cancelled'])).toBe('cancelled');
    expect(outcomeOf([])).toBe('failed');
  });
});
