import { Construct } from 'constructs';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';

export interface EntraGatewayProps {
  readonly displayName: string;
  /** The access token version the gateway issues: it decides the tokens' issuer (the provider URL). */
  readonly tokenVersion: 1 | 2;
}

/**
 * The gateway application (docs/architecture.md#audience-modes): the one audience every role
 * trusts in the shared mode, and the one identities brought by app teams request their tokens
 * for in both modes. It has no credential, no app roles and no permissions: nobody signs in as
 * it; workloads only ask Entra for tokens *for* it (`{appId}/.default`), and each role's trust
 * policy pins `sub` to its own identity. Assignment is not required: Entra then issues its
 * app-only tokens to any identity of the tenant, which is what lets a managed identity use it
 * without anyone granting anything, and why `sub` is what keeps one role's identity out of
 * another role (docs/architecture.md#security-model).
 *
 * The plan creates it (with the deployer's rights), so it does not count against the
 * automation's creator quota, and the automation, which does not own it, cannot change it.
 */
export class EntraGateway extends Construct {
  public readonly application: Application;
  public readonly servicePrincipal: ServicePrincipal;

  constructor(scope: Construct, id: string, props: EntraGatewayProps) {
    super(scope, id);
    this.application = new Application(this, 'application', {
      displayName: props.displayName,
      signInAudience: 'AzureADMyOrg',
      notes: 'Audience of AWS IAM web identity roles (shared mode, and identities brought by app teams). Managed by Terraform (CDKTF).',
      // https://learn.microsoft.com/graph/api/resources/apiapplication: the resource decides the
      // version of the access tokens issued for it. Set explicitly, so the issuer matches the
      // member accounts' OIDC provider.
      api: { requestedAccessTokenVersion: props.tokenVersion },
    });
    this.servicePrincipal = new ServicePrincipal(this, 'service-principal', {
      clientId: this.application.clientId,
      appRoleAssignmentRequired: false,
    });
  }
}
