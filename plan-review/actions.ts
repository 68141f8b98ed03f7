/**
 * Terraform's change actions (https://developer.hashicorp.com/terraform/internals/json-format,
 * "Change Representation"): ["no-op"], ["create"], ["read"], ["update"], ["delete", "create"],
 * ["create", "delete"], ["delete"]. Both two-step lists are a replacement (the second one is
 * create_before_destroy). The page asks consumers to find every deletion by scanning for
 * "delete", so that combinations added later are still recognised as destructive.
 */
export type ActionKind = 'create' | 'update' | 'replace' | 'delete' | 'read' | 'no-op' | 'other';

export function actionKind(actions: readonly string[]): ActionKind {
  const key = actions.join(',');
  switch (key) {
    case 'create':
    case 'update':
    case 'delete':
    case 'read':
    case 'no-op':
      return key;
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      return 'other';
  }
}

/** Deletes (or replaces) an existing object: every action list with "delete" in it. */
export function isDestructive(actions: readonly string[]): boolean {
  return actions.includes('delete');
}

/**
 * The provider's type name from `provider_name` (`registry.terraform.io/hashicorp/aws` → `aws`,
 * `terraform.io/builtin/terraform` → `terraform`): the review's "cloud".
 */
export function cloudOf(providerName: string): string {
  const segments = providerName.split('/');
  return segments[segments.length - 1] || providerName;
}
