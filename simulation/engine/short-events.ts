import { z } from 'zod';
import { accountIdSchema, memberRoleName } from '../../functions/shared/workflow';
import { createRoleEvent, deleteRoleEvent, tagRoleEvent, updateAssumeRolePolicyEvent } from './cloudtrail-events';

/**
 * The short event form of an events file (docs/simulate.md#the-short-form): what a scenario
 * author means, expanded into the EventBridge envelope and CloudTrail record the central bus
 * delivers (cloudtrail-events.ts, modelled on the vendor's examples) before the router sees it.
 * An entry with `event` is short; one with `detail-type` is a full envelope, kept as it is
 * (for the scenarios that test the envelope itself, e.g. a forged `recipientAccountId`).
 */

/** When the first event happened; `at` counts seconds from here (the envelopes' default time). */
export const SHORT_FORM_EPOCH = '2025-11-04T10:15:30Z';

const SHORT_EVENT_NAMES = ['CreateRole', 'UpdateAssumeRolePolicy', 'DeleteRole', 'TagRole'] as const;

export const shortEventSchema = z
  .object({
    event: z.enum(SHORT_EVENT_NAMES, { error: `expected ${SHORT_EVENT_NAMES.join(', ')}` }),
    account: accountIdSchema,
    roleName: z.string().min(1, 'the role name'),
    /** The trust policy the call wrote (CreateRole, UpdateAssumeRolePolicy): an object, or the JSON text as sent. */
    trust: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    /** The tags the call set (CreateRole, TagRole). */
    tags: z.record(z.string(), z.string()).optional(),
    /** CreateRole: the role ID IAM answered with; default derived from the account, role and id. */
    roleId: z.string().optional(),
    /** Who called: an ARN (a session or a user), or "automation" (the automation's pin member role). */
    by: z.string().min(1).optional(),
    /** Seconds after the first event (default 0). */
    at: z.number().min(0, 'seconds, 0 or more').optional(),
    /** The CloudTrail eventID: two entries with the same id are one event delivered twice. Default `event-<n>`, n its position from 1. */
    id: z.string().min(1).optional(),
    /** The call failed with this error: IAM changed nothing. */
    errorCode: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const needsTrust = entry.event === 'CreateRole' || entry.event === 'UpdateAssumeRolePolicy';
    if (needsTrust && entry.trust === undefined)
      ctx.addIssue({ code: 'custom', path: ['trust'], message: `${entry.event} needs the trust policy it wrote` });
    if (!needsTrust && entry.trust !== undefined)
      ctx.addIssue({ code: 'custom', path: ['trust'], message: `${entry.event} writes no trust policy` });
    if (entry.tags !== undefined && entry.event !== 'CreateRole' && entry.event !== 'TagRole') {
      ctx.addIssue({ code: 'custom', path: ['tags'], message: `${entry.event} sets no tags (CreateRole and TagRole do)` });
    }
    if (entry.event === 'TagRole' && entry.tags === undefined)
      ctx.addIssue({ code: 'custom', path: ['tags'], message: 'TagRole needs the tags it set' });
    if (entry.roleId !== undefined && entry.event !== 'CreateRole')
      ctx.addIssue({ code: 'custom', path: ['roleId'], message: 'only CreateRole answers with a role ID' });
  });
export type ShortEvent = z.infer<typeof shortEventSchema>;

export interface ShortFormSettings {
  /** The configuration's `aws.automationRoleName`: `by: "automation"` is a session of its pin member role. */
  readonly automationRoleName: string;
}

/** The full envelope of one short entry, `index` its position in the file (from 0). */
export function expandShortEvent(entry: ShortEvent, index: number, settings: ShortFormSettings): object {
  const userArn =
    entry.by === 'automation'
      ? `arn:aws:sts::${entry.account}:assumed-role/${memberRoleName(settings.automationRoleName, 'pin')}/web-identity-automation`
      : entry.by;
  const options = {
    accountId: entry.account,
    eventId: entry.id ?? `event-${index + 1}`,
    time: new Date(Date.parse(SHORT_FORM_EPOCH) + (entry.at ?? 0) * 1000).toISOString().replace('.000Z', 'Z'),
    ...(userArn ? { userArn } : {}),
    ...(entry.errorCode ? { errorCode: entry.errorCode } : {}),
    ...(entry.tags ? { tags: entry.tags } : {}),
    ...(entry.roleId ? { roleId: entry.roleId } : {}),
  };
  const trust = entry.trust as Parameters<typeof createRoleEvent>[1];
  switch (entry.event) {
    case 'CreateRole':
      return createRoleEvent(entry.roleName, trust, options);
    case 'UpdateAssumeRolePolicy':
      return updateAssumeRolePolicyEvent(entry.roleName, trust, options);
    case 'DeleteRole':
      return deleteRoleEvent(entry.roleName, options);
    case 'TagRole':
      return tagRoleEvent(entry.roleName, entry.tags ?? {}, options);
  }
}
