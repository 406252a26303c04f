/**
 * The ports of the remediation module: what it needs from the outside world, and nothing chat-specific.
 * Adapters: lambda/aws/remediation-store.ts (DynamoDB) and in-memory-remediation-store.ts, lambda/aws/ssm-gateway.ts
 * (SSM), jobs.ts (asynchronous Lambda invocation, or in process). The chat side (lambda/slack/remediation/) supplies
 * the status publisher and renders what the service returns.
 */
export type { RemediationStore, AuditRecord, StatusMessageRef } from '../aws/remediation-store-types';
export type { SsmGateway, CommandRequest } from '../aws/ssm-gateway';
export type { JobQueue, EphemeralPoster as Notifier, RemediationJob } from './jobs';
export type { StatusPublisher } from './remediation-service';
export type { RemediationNotifier, InstanceResult, PlanNotice, ThreadNotice } from './notifier';
