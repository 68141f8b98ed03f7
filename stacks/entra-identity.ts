import { Construct } from 'constructs';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationCertificate } from '@cdktf/provider-azuread/lib/application-certificate';
import { ApplicationFederatedIdentityCredential } from '@cdktf/provider-azuread/lib/application-federated-identity-credential';
import { DataAzureadApplicationPublishedAppIds } from '@cdktf/provider-azuread/lib/data-azuread-application-published-app-ids';
import { DataAzureadServicePrincipal } from '@cdktf/provider-azuread/lib/data-azuread-service-principal';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import type { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from '../functions/shared/workflow';
import type { TaskFunction } from './task-function';

/**
 * The smallest Microsoft Graph application permissions that work (docs/architecture.md#design-decisions):
 * `Application.ReadWrite.OwnedBy` lets the automation create applications and manage
 * only those it owns; adding an owner (`POST /applications/{id}/owners/$ref`) also
 * needs to read the user being added, which `OwnedBy` alone does not grant.
 */
export const GRAPH_APP_ROLES = ['Application.ReadWrite.OwnedBy', 'Directory.Read.All'] as const;

export type AutomationCredential =
  | {
      readonly mode: 'federated';
      /** Issuer of the central account's outbound identity federation tokens. */
      readonly issuerUrl: string;
      /** One federated identity credential per subject: the execution roles that call Graph. */
      readonly subjects: Readonly<Record<string, string>>;
    }
  | { readonly mode: 'certificate'; readonly certificatePem: string };

export interface EntraAutomationIdentityProps {
  readonly displayName: string;
  readonly credential: AutomationCredential;
}

/**
 * The automation's own identity in Entra ID: an application and its service principal,
 * granted (admin-consented) the Graph application permissions it needs, and a
 * credential with no secret: federated trust of the functions' AWS roles, or a certificate.
 */
export class EntraAutomationIdentity extends Construct {
  public readonly application: Application;
  public readonly servicePrincipal: ServicePrincipal;
  public readonly roleAssignments: readonly AppRoleAssignment[];
  public readonly federatedCredentials: readonly ApplicationFederatedIdentityCredential[];
  public readonly certificate?: ApplicationCertificate;

  constructor(scope: Construct, id: string, props: EntraAutomationIdentityProps) {
    super(scope, id);
    // Entra allows at most 20 federated identity credentials per application.
    if (props.credential.mode === 'federated' && Object.keys(props.credential.subjects).length > 20) {
      throw new Error('EntraAutomationIdentity: Entra accepts at most 20 federated identity credentials per application.');
    }

    // Graph's app ID and role IDs are looked up, not hard-coded: they are Microsoft's to publish.
    const publishedAppIds = new DataAzureadApplicationPublishedAppIds(this, 'published-app-ids', {});
    const graph = new DataAzureadServicePrincipal(this, 'microsoft-graph', {
      clientId: publishedAppIds.result.lookup('MicrosoftGraph'),
    });

    this.application = new Application(this, 'application', {
      displayName: props.displayName,
      signInAudience: 'AzureADMyOrg',
      notes: 'Registers Entra applications for AWS IAM web identity roles. Managed by Terraform (CDKTF).',
      requiredResourceAccess: [
        {
          resourceAppId: publishedAppIds.result.lookup('MicrosoftGraph'),
          resourceAccess: GRAPH_APP_ROLES.map((role) => ({ id: graph.appRoleIds.lookup(role), type: 'Role' })),
        },
      ],
    });

    this.servicePrincipal = new ServicePrincipal(this, 'service-principal', {
      clientId: this.application.clientId,
      appRoleAssignmentRequired: false,
    });

    // Admin consent for application permissions is exactly these assignments.
    this.roleAssignments = GRAPH_APP_ROLES.map(
      (role) =>
        new AppRoleAssignment(this, `graph-${role.toLowerCase().replace(/\./g, '-')}`, {
          appRoleId: graph.appRoleIds.lookup(role),
          principalObjectId: this.servicePrincipal.objectId,
          resourceObjectId: graph.objectId,
        }),
    );

    const credential = props.credential;
    if (credential.mode === 'federated') {
      this.federatedCredentials = Object.entries(credential.subjects).map(
        ([name, subject]) =>
          new ApplicationFederatedIdentityCredential(this, `federated-${name}`, {
            applicationId: this.application.id,
            displayName: `aws-${name}`,
            description: `AWS outbound identity federation: the ${name} function's execution role.`,
            audiences: [ENTRA_TOKEN_EXCHANGE_AUDIENCE],
            issuer: credential.issuerUrl,
            subject,
          }),
      );
    } else {
      this.federatedCredentials = [];
      this.certificate = new ApplicationCertificate(this, 'certificate', {
        applicationId: this.application.id,
        type: 'AsymmetricX509Cert',
        encoding: 'pem',
        value: credential.certificatePem,
      });
    }
  }
}

/**
 * Lets `fn` sign in to Entra as the automation: read the certificate's private key from its
 * secret (certificate mode), or mint the client assertion with STS (federated mode).
 */
export function grantAutomationSignIn(fn: TaskFunction, certificateSecret: SecretsmanagerSecret | undefined): void {
  fn.addToRolePolicy(
    certificateSecret
      ? {
          sid: 'ReadAutomationCertificate',
          effect: 'Allow',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [certificateSecret.arn],
        }
      : {
          // GetWebIdentityToken has no resource type: the conditions bound what it may mint.
          sid: 'MintEntraAssertions',
          effect: 'Allow',
          actions: ['sts:GetWebIdentityToken'],
          resources: ['*'],
          condition: [
            { test: 'ForAllValues:StringEquals', variable: 'sts:IdentityTokenAudience', values: [ENTRA_TOKEN_EXCHANGE_AUDIENCE] },
            { test: 'StringEquals', variable: 'sts:SigningAlgorithm', values: ['RS256'] },
            { test: 'NumericLessThanEquals', variable: 'sts:DurationSeconds', values: ['300'] },
          ],
        },
  );
}
