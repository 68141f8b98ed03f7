import { GraphUnavailableError, IamThrottledError, MemberAccountAccessError } from '../../../../functions/shared/runtime';
import { attempt } from '../../../../functions/shared/sweep';

describe('one repair action, and what became of it', () => {
  it('is done when the work is done, and skipped with the reason it gives', async () => {
    expect(await attempt('remove-client-id', 'c1', async () => 'done')).toStrictEqual({
      action: 'remove-client-id',
      target: 'c1',
      result: 'done',
    });
    expect(await attempt('remove-client-id', 'c1', async () => ({ skipped: 'an application has this client ID now' }))).toStrictEqual({
      action: 'remove-client-id',
      target: 'c1',
      result: 'skipped',
      detail: 'an application has this client ID now',
    });
  });

  it('closes a lasting failure on this action alone: failed, with the error after what stays', async () => {
    const refused = new MemberAccountAccessError('AccessDenied on iam:DeleteRolePolicy');

    expect(
      await attempt(
        'remove-revocation-policy',
        'app-role',
        async () => {
          throw refused;
        },
        'the policy stays: ',
      ),
    ).toStrictEqual({
      action: 'remove-revocation-policy',
      target: 'app-role',
      result: 'failed',
      detail: 'the policy stays: MemberAccountAccessError: AccessDenied on iam:DeleteRolePolicy',
    });
    expect(
      await attempt('purge-deleted-item', 'obj-1', async () => {
        throw 'not an Error';
      }),
    ).toMatchObject({ result: 'failed', detail: 'not an Error' });
  });

  it.each([new IamThrottledError('Throttling'), new GraphUnavailableError('503')])(
    'leaves the step on a transient failure (%s), for the state machine to retry it whole',
    async (transient) => {
      await expect(
        attempt('delete-application', 'a1', async () => {
          throw transient;
        }),
      ).rejects.toBe(transient);
    },
  );
});
