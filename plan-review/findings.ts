import { byText } from './values';

/**
 * What the review found, as a program reads it (`--format json`) and as the Markdown is
 * rendered from. `kind` is a stable identifier: docs/pipeline.md lists every one, and
 * __tests__/plan-review/findings.test.ts keeps that list equal to FINDING_KINDS.
 */
export const FINDING_KINDS = [
  'plan-errored',
  'destructive-change',
  'provisioner',
  'policy-widened',
  'policy-unreadable',
  'policy-known-after-apply',
  'principal-public',
  'principal-cross-account',
  'principal-organization',
  'principal-service',
  'principal-federated',
  'principal-other',
  'iam-write-granted',
  'managed-policy-attached',
  'permissions-boundary-removed',
  'bus-put-events',
  'lambda-permission',
  'graph-permission',
  'graph-permission-outside-guarantee',
  'graph-permission-unknown-id',
  'graph-permission-name-mismatch',
  'graph-permission-not-judged',
  'graph-permission-moved',
  'automation-credential',
  'outbound-federation-credential',
  'certificate-credential',
  'application-owner',
  'application-setting',
  'directory-role',
  'execution-role-changed',
  'code-changed',
  'event-routing-changed',
  'alarm-weakened',
  'bucket-access-relaxed',
  'stack-set-setting',
  'stack-set-targets',
  'template-unreadable',
  'template-known-after-apply',
  'template-resource-destructive',
  'template-resource-condition',
  'template-deletion-policy',
  'template-depends-on',
  'template-section',
  'template-resource-not-analysed',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];
export type Severity = 'info' | 'warning' | 'blocking';

/** A finding before it is placed: the rule that finds it does not need to know the address. */
export interface Judgement {
  readonly kind: FindingKind;
  readonly severity: Severity;
  /** One line. */
  readonly message: string;
}

export interface Finding extends Judgement {
  /** Terraform resource address (with ` (deposed object …)` for a deposed object). */
  readonly address: string;
  /** CloudFormation logical ID, for findings inside the StackSet's member template. */
  readonly templateResource?: string;
}

export type Verdict = 'no-findings' | 'review' | 'blocking';

const SEVERITY_ORDER: Record<Severity, number> = { blocking: 0, warning: 1, info: 2 };

/** Blocking first, then warnings, then info; within each by address, template resource, kind, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      byText(a.address, b.address) ||
      byText(a.templateResource ?? '', b.templateResource ?? '') ||
      byText(a.kind, b.kind) ||
      byText(a.message, b.message),
  );
}

/** Removes exact duplicates (the same finding reached through two variants of a policy). */
export function uniqueFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.address, f.templateResource ?? '', f.kind, f.severity, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function verdictOf(findings: readonly Finding[], notAnalysed: readonly string[]): Verdict {
  if (findings.some((f) => f.severity === 'blocking')) return 'blocking';
  if (findings.some((f) => f.severity === 'warning') || notAnalysed.length > 0) return 'review';
  return 'no-findings';
}
