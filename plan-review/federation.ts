/**
 * The resources the federation itself stands on, and what deleting or replacing each one
 * breaks. Every resource of these types in this configuration belongs to the federation:
 * the stack creates no others of them.
 */
export interface FederationRole {
  /** What the resource is, for a reviewer. */
  readonly what: string;
  /** What deleting it (or replacing it: a delete and a create) breaks. */
  readonly breaks: string;
}

export const FEDERATION_RESOURCES: Readonly<Record<string, FederationRole>> = {
  aws_cloudformation_stack_set: {
    what: 'the member baseline StackSet',
    breaks:
      "every member account's baseline stack goes with it: the Entra OIDC provider (with every audience the automation added), the automation role and the IAM event forwarding. Every federated role in the organization stops accepting Entra tokens, and new roles are no longer federated.",
  },
  aws_cloudformation_stack_set_instance: {
    what: 'the member baseline stack instances (target OUs, us-east-1)',
    breaks:
      'the baseline stacks in the target accounts are deleted: their OIDC provider (with every audience the automation added), the automation role and the IAM event forwarding. Federated roles there stop accepting Entra tokens.',
  },
  aws_iam_openid_connect_provider: {
    what: 'an IAM OIDC provider',
    breaks:
      'roles that trust it can no longer be assumed with web identity tokens; a new provider starts without the audiences (client IDs) the old one had.',
  },
  aws_sfn_state_machine: {
    what: 'a federation workflow (state machine)',
    breaks:
      'while it is missing the router cannot start executions: IAM role events fail, are retried from the queue and end in the dead-letter queue, and roles created or deleted meanwhile are not federated or cleaned up until those events are redriven.',
  },
  azuread_application: {
    what: "the automation's Entra application",
    breaks:
      'its client ID changes and its credentials go with it. The applications it created for federated roles stay owned by the old service principal, so the automation can no longer update or delete them (Application.ReadWrite.OwnedBy covers only applications it owns).',
  },
  azuread_service_principal: {
    what: "the automation's service principal",
    breaks:
      'its Graph permissions (app role assignments) and its ownership of every application it created for federated roles are lost: Create and Delete workflows fail, and the existing applications need an administrator to re-assign their owner.',
  },
  azuread_app_role_assignment: {
    what: 'a Microsoft Graph permission granted to the automation',
    breaks:
      "without it the automation's Graph calls fail with 403: the Create and Delete workflows fail (and compensate) until it is granted again.",
  },
  azuread_application_federated_identity_credential: {
    what: "a federated identity credential of the automation's application",
    breaks:
      'the function named in its subject can no longer get an Entra token: its workflow steps fail until the credential exists again.',
  },
  azuread_application_certificate: {
    what: "the automation's certificate credential",
    breaks:
      'the functions can no longer sign in to Entra with the certificate: every Graph-calling step fails until a certificate is registered again.',
  },
};
