/**
 * The state machines' names, derived from the configuration's `namePrefix` so that two
 * deployments in one account and region do not collide: `{Prefix}-Role-Create` and
 * `{Prefix}-Role-Delete`, and the sweep `{Prefix}-Sweep`, where `Prefix` is
 * `namePrefix` in title case by `-` segments. The default `web-identity` keeps the names of
 * the source article, `Web-Identity-Role-Create` and `Web-Identity-Role-Delete`.
 * The stack, the simulator and the tests all name them through here.
 */

const SUFFIXES = {
  create: 'Role-Create',
  delete: 'Role-Delete',
  sweep: 'Sweep',
  // An operator's, for an incident (docs/operator.md#revoking-a-role-in-an-incident).
  revoke: 'Role-Revoke',
  restore: 'Role-Restore',
} as const;
export type Workflow = keyof typeof SUFFIXES;

/** `web-identity` → `Web-Identity`: each `-`-separated segment starts upper case, the rest stays. */
export function titleCasePrefix(namePrefix: string): string {
  return namePrefix
    .split('-')
    .map((segment) => segment.charAt(0).toUpperCase() + segment.slice(1))
    .join('-');
}

export function stateMachineName(namePrefix: string, workflow: Workflow): string {
  return `${titleCasePrefix(namePrefix)}-${SUFFIXES[workflow]}`;
}

export function stateMachineNames(namePrefix: string): Readonly<Record<Workflow, string>> {
  return {
    create: stateMachineName(namePrefix, 'create'),
    delete: stateMachineName(namePrefix, 'delete'),
    sweep: stateMachineName(namePrefix, 'sweep'),
    revoke: stateMachineName(namePrefix, 'revoke'),
    restore: stateMachineName(namePrefix, 'restore'),
  };
}
