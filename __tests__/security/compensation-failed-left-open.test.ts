import { randomUUID } from 'node:crypto';
import { type PolicyDocument, isOpen } from '../../functions/shared/iam';
import { createRoleEvent } from '../fixtures/cloudtrail';
import { ACCOUNT, HOST, PROVIDER_ARN, federatedPolicy, startE2eWorld, type E2eWorld } from '../e2e/harness';

/**
 * REVIEW FINDING 7 (high): when the compensation itself fails, the role is never locked.
 *
 * In `Web-Identity-Role-Create` a failing `RemoveApplication` / `RemoveAudience` goes straight to
 * `CompensationFailed` (stacks/workflow-definitions.ts), skipping `RecordFailureOnRole`, the
 * only step that locks an open role (and needs no Graph at all). A Microsoft Graph outage that
 * outlasts the retries is the most ordinary failure there is, and it fails both the Create and
 * its compensation (which reads Graph to find the application): an open role then stays open,
 * with no `entra:access` tag and no `role-open` alarm, only a generic failed execution. The
 * documentation says "A role the automation cannot pin must not stay open".
 *
 * Minimal fix: a failed compensation still runs the lock and the status tag (Catch of
 * RemoveApplication / RemoveAudience → RecordFailureOnRole, then fail with CompensationFailed),
 * or lock first and compensate after.
 */

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('attack: an open role is locked even when the compensation fails', () => {
  it('Graph down for the whole Create: the open role is locked', async () => {
    // Prepare: another team's client ID is held; then Graph goes down completely.
    world = await startE2eWorld();
    await world.play(createRoleEvent('other-team', federatedPolicy(), { accountId: ACCOUNT, eventId: randomUUID() }));
    world.graph.faults.inject({ kind: 'unavailable', count: 100_000 });
    const open: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' }],
    };

    // Act
    await world.play(createRoleEvent('open-role', open, { accountId: ACCOUNT, eventId: randomUUID() }));

    // Assess
    const execution = world.pipeline.executions.find((e) => e.input.roleName === 'open-role');
    expect(execution?.states).toContain('RemoveApplication');
    const role = world.iam.role(ACCOUNT, 'open-role')!;
    const held = world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds ?? [];
    expect(isOpen(role.assumeRolePolicyDocument as PolicyDocument, { providerArn: PROVIDER_ARN, conditionKeyPrefix: HOST }, held)).toBe(
      false,
    );
    expect(role.tags['entra:access']).toBe('locked');
  });
});
