import { createHash } from 'node:crypto';
import { ROLE_TAGS } from './contracts';

/**
 * No team write is lost (docs/architecture.md#a-team-write-is-never-lost). IAM has no conditional
 * write for trust policies (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html
 * has no precondition parameter), so a team's `UpdateAssumeRolePolicy` landing between the
 * automation's `GetRole` and its own `UpdateAssumeRolePolicy` is overwritten. It is not lost for
 * good: the CloudTrail record of the team's call carries the document it wrote
 * (`requestParameters.policyDocument`) and its time (`eventTime`), and every trust policy the
 * automation writes carries, in the role's `entra:trust-policy-write` tag, when the read it was
 * computed from happened and a digest of what it wrote. The team's event, when its execution
 * holds the role's lock, applies the team's document again if the call may have been overwritten:
 * the role still holds the automation's write (the digest matches) and the call is not older than
 * that write's read. Then the role is judged as after any update.
 *
 * Why a tag and not the execution's own state: the window must outlive the execution that wrote
 * (the team's event is handled by a later execution, maybe after the sweep), and the tag travels
 * with the role incarnation (a role created again starts without one). A team member may rewrite
 * the tag (it may tag its role), but what the tag can make the automation do is apply again a
 * document that team's own call wrote to that same role, then judge it as any update: nothing a
 * team cannot do itself.
 *
 * CloudTrail's `eventTime` has one-second resolution ("2026-01-01T00:00:01Z",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
 * so times here are whole seconds and the ties are broken as follows:
 * - a call in the same second as the automation's read counts as inside the window (it may have
 *   landed after the read, which is where an overwritten call lands);
 * - but a call that wrote the very document the read saw is not applied again (the role holds
 *   what the judgement made of it), and its second is noted: another call of that second, or an
 *   earlier one, counts as older than what the read saw (it was replaced before the read);
 * - of two team calls in the same second that were both overwritten, the one whose event is
 *   handled last wins (CloudTrail cannot order them; events are usually delivered in order);
 *   the same call handled again (a redelivery) is not applied twice.
 */

/**
 * The marker tag's value: `since=<second> seen=<digest>[/<second>] applied=<second>/<digest>|- wrote=<digest>`,
 * seconds in ISO 8601 (IAM tag values allow `=:/-`; at most 256 characters, this takes about 190).
 */
export interface TrustPolicyWrite {
  /** Epoch seconds of the read the written policy descends from (the window's start). */
  readonly since: number;
  /**
   * The document that read saw (its digest), and the latest second of a team call found to have
   * written it: a team call of that second or earlier is older than something the read saw.
   */
  readonly seen: { readonly digest: string; readonly at: number | null };
  /** The team call it applied again, latest first: its epoch second and its document's digest. */
  readonly applied: { readonly at: number; readonly digest: string } | null;
  /** Digest of the document the automation wrote. */
  readonly wrote: string;
}

/** Hex characters of a digest kept in the tag: 128 bits, collisions out of reach. */
const DIGEST_LENGTH = 32;

/** Key order does not change a policy; IAM returns the document as written, so a digest of its canonical JSON compares. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The digest of a trust policy (parsed) as the marker records it. */
export function policyDigest(policy: unknown): string {
  return createHash('sha256').update(canonical(policy), 'utf8').digest('hex').slice(0, DIGEST_LENGTH);
}

const isoSecond = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function encodeTrustPolicyWrite(write: TrustPolicyWrite): string {
  const seen = write.seen.at === null ? write.seen.digest : `${write.seen.digest}/${isoSecond(write.seen.at)}`;
  const applied = write.applied ? `${isoSecond(write.applied.at)}/${write.applied.digest}` : '-';
  return `since=${isoSecond(write.since)} seen=${seen} applied=${applied} wrote=${write.wrote}`;
}

const SECOND = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z';
const DIGEST = `[0-9a-f]{${DIGEST_LENGTH}}`;
const MARKER = new RegExp(`^since=(${SECOND}) seen=(${DIGEST})(?:/(${SECOND}))? applied=(?:-|(${SECOND})/(${DIGEST})) wrote=(${DIGEST})$`);

/** The marker, or `null` when the tag is absent or not of that form (then no write is applied again). */
export function parseTrustPolicyWrite(value: string | undefined): TrustPolicyWrite | null {
  const match = MARKER.exec(value ?? '');
  if (!match) return null;
  const [, since = '', seenDigest = '', seenAt, appliedAt, appliedDigest = '', wrote = ''] = match;
  return {
    since: Date.parse(since) / 1000,
    seen: { digest: seenDigest, at: seenAt ? Date.parse(seenAt) / 1000 : null },
    applied: appliedAt ? { at: Date.parse(appliedAt) / 1000, digest: appliedDigest } : null,
    wrote,
  };
}

/** A CloudTrail `eventTime` (or any ISO time) as its epoch second; `NaN` when unreadable. */
export function epochSecond(time: string | number): number {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  return Math.floor(ms / 1000);
}

/**
 * The marker of a trust policy the automation is about to write, computed from a read made at
 * `readAtMs` of a role that then held `current` (its policy and tags). When that read saw the
 * automation's own write (the role held it), the new write descends from the same window: it
 * keeps that write's `since`, `seen` and `applied`, so that a team call overwritten before it is
 * still applied again, and an older one never after a newer one. Otherwise the window starts
 * at this read, which saw the role's current document.
 */
export function nextTrustPolicyWrite(
  current: { readonly trustPolicy: unknown; readonly tags: Readonly<Record<string, string>> },
  readAtMs: number,
  written: unknown,
): TrustPolicyWrite {
  const held = heldAutomationWrite(current);
  const wrote = policyDigest(written);
  if (held) return { since: held.since, seen: held.seen, applied: held.applied, wrote };
  return { since: epochSecond(readAtMs), seen: { digest: policyDigest(current.trustPolicy), at: null }, applied: null, wrote };
}

/** The automation's marker if the role still holds the write it describes; `null` otherwise. */
export function heldAutomationWrite(role: {
  readonly trustPolicy: unknown;
  readonly tags: Readonly<Record<string, string>>;
}): TrustPolicyWrite | null {
  const marker = parseTrustPolicyWrite(role.tags[ROLE_TAGS.trustPolicyWrite]);
  return marker && marker.wrote === policyDigest(role.trustPolicy) ? marker : null;
}

/**
 * What the team's event found (the re-application step's `teamWriteOutcome`):
 * - `reapplied`: the team's document was written again, the automation had overwritten it;
 * - `not-overwritten`: the role holds a write that is not the automation's (the team's own, or a
 *   later one), so there is nothing to apply;
 * - `seen-by-read`: the call wrote the very document the window's read saw, and nothing was
 *   applied since: the role holds what the judgement made of it already (the step notes the
 *   call's second in `seen`);
 * - `older-than-read`: the call is older than the read the role's current write descends from,
 *   or of the same second as a call that read saw;
 * - `older-than-applied`: a later overwritten team call (or this same one) was applied again already;
 * - `role-gone`: the role is gone (its Delete owns the rest).
 */
export type TeamWriteOutcome = 'reapplied' | 'not-overwritten' | 'seen-by-read' | 'older-than-read' | 'older-than-applied' | 'role-gone';

/**
 * Whether a team call (its CloudTrail second, the digest of its document) is applied again over
 * the role as it is now. Not a judgement of the role (that is shared/federation): only of the call.
 */
export function decideTeamWrite(
  role: { readonly trustPolicy: unknown; readonly tags: Readonly<Record<string, string>> } | null,
  call: { readonly second: number; readonly digest: string },
): TeamWriteOutcome {
  if (!role) return 'role-gone';
  const held = heldAutomationWrite(role);
  if (!held) return 'not-overwritten';
  if (held.applied === null && call.digest === held.seen.digest) return 'seen-by-read';
  if (call.second < held.since) return 'older-than-read';
  if (held.seen.at !== null && call.second <= held.seen.at) return 'older-than-read';
  if (held.applied && (call.second < held.applied.at || (call.second === held.applied.at && call.digest === held.applied.digest))) {
    return 'older-than-applied';
  }
  return 'reapplied';
}

/**
 * What the re-application step writes for a team call over the role as it is now: the marker (or
 * `null`: nothing to write), and whether the team's document goes with it (`reapply`). The
 * marker is written first.
 */
export function teamWriteStep(
  role: { readonly trustPolicy: unknown; readonly tags: Readonly<Record<string, string>> } | null,
  call: { readonly second: number; readonly digest: string },
): { readonly outcome: TeamWriteOutcome; readonly marker: TrustPolicyWrite | null; readonly reapply: boolean } {
  const outcome = decideTeamWrite(role, call);
  const held = role && heldAutomationWrite(role);
  if (outcome === 'reapplied' && held) {
    // The window keeps the read of the write it replaces; the call is recorded as applied.
    return { outcome, marker: { ...held, applied: { at: call.second, digest: call.digest }, wrote: call.digest }, reapply: true };
  }
  if (outcome === 'seen-by-read' && held && (held.seen.at === null || held.seen.at < call.second)) {
    // Noted, so that another call of this second counts as older than what the read saw.
    return { outcome, marker: { ...held, seen: { ...held.seen, at: call.second } }, reapply: false };
  }
  return { outcome, marker: null, reapply: false };
}
