import * as z from 'zod';

/**
 * Wave `wave` of a confirmed fleet restart, for the remediation worker. Enqueued by the Confirm (wave 1) and by the
 * status handler when wave k is over (its role may not send commands); the worker claims `wave#k` before sending, so
 * a repeated job sends nothing.
 */
export const fleetWaveJobSchema = z.object({
  kind: z.literal('fleet-wave'),
  requestId: z.string().regex(/^r-[A-Za-z0-9_-]{1,40}$/),
  wave: z.number().int().min(1).max(1000),
});
export type FleetWaveJob = z.infer<typeof fleetWaveJobSchema>;
