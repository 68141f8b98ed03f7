import type { PlanDifference } from './compare';
import type { Review } from './review';

/**
 * `--format json`: the contract a program reads (docs/pipeline.md, "The JSON review"). Only
 * these fields, in this order; `comparison` with `--reviewed` only.
 */
export function renderJson(review: Review, differences?: readonly PlanDifference[]): string {
  const document = {
    verdict: review.verdict,
    findings: review.findings.map((f) => ({
      address: f.address,
      ...(f.templateResource ? { templateResource: f.templateResource } : {}),
      kind: f.kind,
      severity: f.severity,
      message: f.message,
    })),
    notAnalysed: review.notAnalysed,
    ...(differences
      ? { comparison: { same: differences.length === 0, differences: differences.map((d) => `${d.address}: ${d.problem}`) } }
      : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
