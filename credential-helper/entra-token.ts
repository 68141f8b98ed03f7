import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TokenCredential } from '@azure/identity';
import type { TokenSourceArgs, TokenSourceKind } from './args';
import { EXIT_CODES, HelperError, type ExitCode } from './exit-codes';
import { requestGitHubOidcToken } from './github-oidc';
import { decodeJwt, type EntraTokenClaims } from './jwt';

export interface EntraToken {
  token: string;
  expiresOn: Date;
}

export interface LoadedCertificate {
  /** The certificate followed by the decrypted private key (PKCS#8), as @azure/identity wants it. */
  pem: string;
  certificate: X509Certificate;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ((?:ENCRYPTED |RSA |EC )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/**
 * Reads and checks the workload's PEM before any network call, so that the common mistakes
 * (wrong path, key missing, wrong password, certificate expired, key of another certificate)
 * get a precise message instead of Entra's generic AADSTS700027.
 */
export async function loadCertificate(path: string, password: string | undefined, now: Date): Promise<LoadedCertificate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HelperError(
      EXIT_CODES.certificate,
      `Cannot read --certificate ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give the path of a PEM file holding the certificate and its private key.`,
      { cause: error },
    );
  }
  const certificateBlock = CERTIFICATE_BLOCK.exec(text)?.[0];
  const keyBlock = KEY_BLOCK.exec(text)?.[0];
  if (!certificateBlock || !keyBlock) {
    throw new HelperError(
      EXIT_CODES.certificate,
      `--certificate ${path} must hold both a "BEGIN CERTIFICATE" block and a "BEGIN PRIVATE KEY" block (missing: ${[!certificateBlock && 'certificate', !keyBlock && 'private key'].filter(Boolean).join(' and ')}). Concatenate them: cat cert.pem key.pem > workload.pem`,
    );
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificateBlock);
  } catch (error) {
    throw new HelperError(EXIT_CODES.certificate, `--certificate ${path}: the certificate block is not a valid X.509 certificate.`, {
      cause: error,
    });
  }
  const encrypted = keyBlock.includes('ENCRYPTED') || /Proc-Type: 4,ENCRYPTED/.test(keyBlock);
  if (encrypted && password === undefined) {
    throw new HelperError(
      EXIT_CODES.certificate,
      `The private key in --certificate ${path} is password-protected: give --certificate-password-file or set ENTRA_AWS_CERTIFICATE_PASSWORD.`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyBlock, format: 'pem', passphrase: password });
  } catch (error) {
    throw new HelperError(
      EXIT_CODES.certificate,
      encrypted
        ? `Cannot decrypt the private key in --certificate ${path}: the certificate password is wrong.`
        : `The private key in --certificate ${path} is unreadable: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new HelperError(
      EXIT_CODES.certificate,
      `The private key in --certificate ${path} does not belong to its certificate (${certificate.subject}).`,
    );
  }
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new HelperError(
      EXIT_CODES.certificate,
      `The certificate in --certificate ${path} (SHA-1 thumbprint ${thumbprint(certificate)}) expired on ${notAfter.toISOString()}. Create a new one and add it to the application: az ad app credential reset --id <client-id> --cert @cert.pem --append`,
    );
  }
  const notBefore = new Date(certificate.validFrom);
  if (notBefore.getTime() > now.getTime()) {
    throw new HelperError(
      EXIT_CODES.certificate,
      `The certificate in --certificate ${path} is not valid before ${notBefore.toISOString()}: check this machine's clock.`,
    );
  }
  const pkcs8 = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { pem: `${certificateBlock}\n${pkcs8}`, certificate };
}

/** The SHA-1 thumbprint Entra and the Azure portal show for a certificate credential. */
export function thumbprint(certificate: X509Certificate): string {
  return certificate.fingerprint.replaceAll(':', '');
}

/**
 * Gets the workload's app-only access token for `{audience}/.default` from its token source,
 * through @azure/identity. In the per-role audience mode a workload asks for a token for its own
 * application (the audience defaults to --client-id), so `aud` (v1) / `azp` (v2) is the client ID
 * the role's trust policy and the OIDC provider's client ID list hold; in the shared-audience mode
 * (and for a workload's own identity) it asks for the gateway application instead.
 */
export async function getEntraToken(source: TokenSourceArgs, now: Date): Promise<EntraToken> {
  const context: ErrorContext = { source };
  // Loaded here, not at the top: a credential_process cache hit must not pay for MSAL.
  const identity = await import('@azure/identity');
  // Instance discovery asks login.microsoftonline.com whether the host is a known cloud;
  // a non-default host (a test fake) would fail that check.
  const authority = source.authorityHost ? { authorityHost: source.authorityHost, disableInstanceDiscovery: true } : {};
  let credential: TokenCredential;
  switch (source.kind) {
    case 'certificate': {
      const password = source.certificatePasswordFile ? await readPasswordFile(source.certificatePasswordFile) : source.certificatePassword;
      context.certificate = await loadCertificate(source.certificate as string, password, now);
      credential = new identity.ClientCertificateCredential(
        source.tenantId as string,
        source.clientId as string,
        { certificate: context.certificate.pem },
        authority,
      );
      break;
    }
    case 'managed-identity':
      // IMDS (Azure VMs, scale sets: http://169.254.169.254, or AZURE_POD_IDENTITY_AUTHORITY_HOST), or App Service /
      // Functions (IDENTITY_ENDPOINT + IDENTITY_HEADER): MSAL picks the one the platform's environment names.
      credential = new identity.ManagedIdentityCredential(source.clientId ? { clientId: source.clientId } : {});
      break;
    case 'workload-identity':
      context.assertion = await readFederatedToken(source.federatedTokenFile as string);
      credential = new identity.WorkloadIdentityCredential({
        tenantId: source.tenantId,
        clientId: source.clientId,
        tokenFilePath: source.federatedTokenFile,
        ...authority,
      });
      break;
    case 'github-actions': {
      const assertion = await requestGitHubOidcToken(source.githubTokenRequest);
      context.assertion = claimsOf(assertion);
      credential = new identity.ClientAssertionCredential(
        source.tenantId as string,
        source.clientId as string,
        async () => assertion,
        authority,
      );
      break;
    }
  }
  try {
    const accessToken = await credential.getToken(`${source.audience}/.default`);
    if (!accessToken) throw new Error(`${source.kind}: no token returned`);
    return { token: accessToken.token, expiresOn: new Date(accessToken.expiresOnTimestamp) };
  } catch (error) {
    throw explainEntraError(error, context);
  }
}

/** A password file holds the password alone; one trailing newline (as `echo` writes) is not part of it. */
async function readPasswordFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new HelperError(
      EXIT_CODES.certificate,
      `Cannot read --certificate-password-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      { cause: error },
    );
  }
}

/**
 * Reads the federated token file before @azure/identity does, for a precise message when it is
 * missing and to name its issuer and subject when Entra refuses it. Kubernetes mounts it when the
 * pod has the label azure.workload.identity/use: "true" and its service account the annotation
 * azure.workload.identity/client-id:
 * https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html
 */
async function readFederatedToken(path: string): Promise<EntraTokenClaims | undefined> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new HelperError(
      EXIT_CODES.tokenSourceUnavailable,
      `Cannot read the federated token file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). In Kubernetes the workload identity webhook mounts it (AZURE_FEDERATED_TOKEN_FILE) when the pod has the label azure.workload.identity/use: "true" and its service account the annotation azure.workload.identity/client-id.`,
      { cause: error },
    );
  }
  if (!text) throw new HelperError(EXIT_CODES.tokenSourceUnavailable, `The federated token file ${path} is empty.`);
  return claimsOf(text);
}

function claimsOf(token: string): EntraTokenClaims | undefined {
  try {
    return decodeJwt(token).claims;
  } catch {
    return undefined;
  }
}

export interface ErrorContext {
  source: TokenSourceArgs;
  certificate?: LoadedCertificate;
  /** The claims of the federated token presented to Entra (workload identity, GitHub Actions). */
  assertion?: EntraTokenClaims;
}

interface EntraErrorExplanation {
  exitCode: ExitCode;
  /** When set, the explanation applies only to these token sources. */
  sources?: readonly TokenSourceKind[];
  explain: (context: ErrorContext) => string;
}

const FEDERATED: readonly TokenSourceKind[] = ['workload-identity', 'github-actions'];

function federatedMismatch(code: string, what: string): EntraErrorExplanation {
  return {
    exitCode: EXIT_CODES.entraFederatedCredentialMismatch,
    sources: FEDERATED,
    explain: ({ source, assertion }) =>
      `Entra found no federated identity credential on application ${source.clientId} matching ${what} of the presented token (AADSTS${code}). The token: issuer ${String(assertion?.iss ?? '?')}, subject ${String(assertion?.sub ?? '?')}, audience ${String(assertion?.aud ?? '?')}. A federated credential must name exactly this issuer and subject, with audience api://AzureADTokenExchange; list them with: az ad app federated-credential list --id ${source.clientId}. ${source.kind === 'github-actions' ? 'For GitHub Actions the subject depends on the trigger: repo:OWNER/REPO:ref:refs/heads/BRANCH, repo:OWNER/REPO:environment:NAME, repo:OWNER/REPO:pull_request.' : "For Kubernetes the issuer is the cluster's OIDC issuer URL and the subject system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT."}`,
  };
}

/**
 * AADSTS codes the helper explains. Sources: Microsoft Entra error code reference
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes), the Azure SDK
 * service-principal troubleshooting table
 * (https://learn.microsoft.com/azure/developer/java/sdk/troubleshooting-authentication-service-principal),
 * and the workload identity troubleshooting guide for the federated ones
 * (https://azure.github.io/azure-workload-identity/docs/troubleshooting.html).
 */
export const AADSTS_EXPLANATIONS: Record<string, EntraErrorExplanation> = {
  '700016': {
    exitCode: EXIT_CODES.entraUnknownClient,
    explain: ({ source }) =>
      `Entra has no application with client ID ${source.clientId} in tenant ${source.tenantId} (AADSTS700016). Use the role's entra:client-id and entra:tenant-id tags for --client-id and --tenant-id.`,
  },
  '7000229': {
    exitCode: EXIT_CODES.entraUnknownClient,
    explain: ({ source }) =>
      `Application ${source.clientId} has no service principal in tenant ${source.tenantId} (AADSTS7000229). The automation creates it; check the role's entra:federation-status tag and ask the platform team if it is not "federated".`,
  },
  '700027': {
    exitCode: EXIT_CODES.entraCertificateNotRegistered,
    sources: ['certificate'],
    explain: ({ source, certificate }) =>
      `Entra does not accept this certificate for application ${source.clientId} (AADSTS700027): it is not registered on the application, or its registration expired. Thumbprint: ${certificate ? thumbprint(certificate.certificate) : '?'}. An owner of the application adds it with: az ad app credential reset --id ${source.clientId} --cert @cert.pem --append`,
  },
  '90002': {
    exitCode: EXIT_CODES.entraTenantNotFound,
    explain: ({ source }) => `Entra has no tenant ${source.tenantId} (AADSTS90002). Use the role's entra:tenant-id tag for --tenant-id.`,
  },
  '500011': {
    exitCode: EXIT_CODES.entraOther,
    explain: ({ source }) =>
      `Entra has no application ${source.audience} to issue a token for (AADSTS500011; --audience${source.kind === 'managed-identity' ? '' : ', by default --client-id'}). Use the role's entra:client-id tag, or the gateway application ID for a role in the shared-audience mode.`,
  },
  '70021': federatedMismatch('70021', 'the issuer, subject and audience'),
  '700211': federatedMismatch('700211', 'the issuer'),
  '700212': federatedMismatch('700212', 'the audience'),
  '700213': federatedMismatch('700213', 'the subject'),
  '700024': {
    exitCode: EXIT_CODES.entraFederatedCredentialMismatch,
    sources: FEDERATED,
    explain: ({ assertion }) =>
      `Entra says the presented federated token is outside its validity period (AADSTS700024; exp ${typeof assertion?.exp === 'number' ? new Date(assertion.exp * 1000).toISOString() : '?'}). A Kubernetes projected token is refreshed by the kubelet: read the file again rather than a copy; check this machine's clock.`,
  },
};
AADSTS_EXPLANATIONS['50001'] = AADSTS_EXPLANATIONS['500011'];

export function explainEntraError(error: unknown, context: ErrorContext): HelperError {
  if (error instanceof HelperError) return error;
  const { source } = context;
  const message = error instanceof Error ? error.message : String(error);
  const code = /AADSTS(\d+)/.exec(message)?.[1];
  const known = code ? AADSTS_EXPLANATIONS[code] : undefined;
  if (known && (!known.sources || known.sources.includes(source.kind))) {
    return new HelperError(known.exitCode, known.explain(context), { cause: error });
  }
  if (source.kind === 'managed-identity' && !code) return explainManagedIdentityError(message, source, error);
  // With a non-default authority host MSAL reads the tenant's OpenID configuration first;
  // Entra answers an unknown tenant there (AADSTS90002) and MSAL reports only that it failed.
  if (/openid_config_error|endpoints_resolution_error/.test(message)) {
    return new HelperError(
      EXIT_CODES.entraTenantNotFound,
      `Could not read the OpenID configuration of tenant ${source.tenantId}${source.authorityHost ? ` at ${source.authorityHost}` : ''}: the tenant does not exist (use the role's entra:tenant-id tag) or the host is unreachable.`,
      { cause: error },
    );
  }
  const firstLine = message.split('\n').find((line) => line.includes('AADSTS')) ?? message.split('\n')[0];
  return new HelperError(EXIT_CODES.entraOther, `Entra refused the token request${code ? ` (AADSTS${code})` : ''}: ${firstLine.trim()}`, {
    cause: error,
  });
}

/**
 * The managed identity endpoint answers "Identity not found" (400) for a user-assigned identity
 * not assigned to this resource (https://github.com/Azure/azure-sdk-for-net/issues/37278), and
 * does not answer at all off Azure.
 */
function explainManagedIdentityError(message: string, source: TokenSourceArgs, error: unknown): HelperError {
  const detail = message.replace(/^ManagedIdentityCredential: /, '').split('\n')[0];
  if (/identity not found/i.test(message)) {
    return new HelperError(
      EXIT_CODES.tokenSourceUnavailable,
      `This resource has no managed identity ${source.clientId ? `with client ID ${source.clientId} (--client-id)` : '(system-assigned)'}: assign it to the VM, App Service or Function, or give --client-id the client ID of one that is. The endpoint said: ${detail}`,
      { cause: error },
    );
  }
  return new HelperError(
    EXIT_CODES.tokenSourceUnavailable,
    `No managed identity token: ${detail}. A managed identity is available on an Azure VM or scale set (IMDS), in App Service and Azure Functions (IDENTITY_ENDPOINT and IDENTITY_HEADER), with an identity enabled on the resource.`,
    { cause: error },
  );
}
