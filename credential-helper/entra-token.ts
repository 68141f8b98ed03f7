import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { EXIT_CODES, HelperError, type ExitCode } from './exit-codes';

export interface EntraTokenRequest {
  tenantId: string;
  clientId: string;
  /** Only for tests against a fake; the default is the public cloud's login.microsoftonline.com. */
  authorityHost?: string;
}

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
    throw new HelperError(EXIT_CODES.certificate, `Cannot read --certificate ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give the path of a PEM file holding the certificate and its private key.`, { cause: error });
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
    throw new HelperError(EXIT_CODES.certificate, `--certificate ${path}: the certificate block is not a valid X.509 certificate.`, { cause: error });
  }
  const encrypted = keyBlock.includes('ENCRYPTED') || /Proc-Type: 4,ENCRYPTED/.test(keyBlock);
  if (encrypted && password === undefined) {
    throw new HelperError(EXIT_CODES.certificate, `The private key in --certificate ${path} is password-protected: give --certificate-password or set ENTRA_AWS_CERTIFICATE_PASSWORD.`);
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
    throw new HelperError(EXIT_CODES.certificate, `The private key in --certificate ${path} does not belong to its certificate (${certificate.subject}).`);
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
    throw new HelperError(EXIT_CODES.certificate, `The certificate in --certificate ${path} is not valid before ${notBefore.toISOString()}: check this machine's clock.`);
  }
  const pkcs8 = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { pem: `${certificateBlock}\n${pkcs8}`, certificate };
}

/** The SHA-1 thumbprint Entra and the Azure portal show for a certificate credential. */
export function thumbprint(certificate: X509Certificate): string {
  return certificate.fingerprint.replaceAll(':', '');
}

/**
 * Gets an app-only access token for `{clientId}/.default`: the workload asks for a token
 * for its own application, so `aud` (v1) / `azp` (v2) is its client ID, which is what the
 * role's trust policy and the OIDC provider's client ID list hold (docs/architecture.md#the-trust-policy-the-automation-writes).
 */
export async function getEntraToken(request: EntraTokenRequest, certificate: LoadedCertificate): Promise<EntraToken> {
  // Loaded here, not at the top: a credential_process cache hit must not pay for MSAL.
  const { ClientCertificateCredential } = await import('@azure/identity');
  const credential = new ClientCertificateCredential(
    request.tenantId,
    request.clientId,
    { certificate: certificate.pem },
    request.authorityHost
      ? // Instance discovery asks login.microsoftonline.com whether the host is a known cloud;
        // a non-default host (a test fake) would fail that check.
        { authorityHost: request.authorityHost, disableInstanceDiscovery: true }
      : {},
  );
  try {
    const accessToken = await credential.getToken(`${request.clientId}/.default`);
    return { token: accessToken.token, expiresOn: new Date(accessToken.expiresOnTimestamp) };
  } catch (error) {
    throw explainEntraError(error, request, certificate);
  }
}

interface EntraErrorExplanation {
  exitCode: ExitCode;
  explain: (request: EntraTokenRequest, certificate: LoadedCertificate) => string;
}

/**
 * AADSTS codes the helper explains. Sources: Microsoft Entra error code reference
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes) and the Azure SDK
 * service-principal troubleshooting table
 * (https://learn.microsoft.com/azure/developer/java/sdk/troubleshooting-authentication-service-principal).
 */
export const AADSTS_EXPLANATIONS: Record<string, EntraErrorExplanation> = {
  '700016': {
    exitCode: EXIT_CODES.entraUnknownClient,
    explain: (r) =>
      `Entra has no application with client ID ${r.clientId} in tenant ${r.tenantId} (AADSTS700016). Use the role's entra:client-id and entra:tenant-id tags for --client-id and --tenant-id.`,
  },
  '7000229': {
    exitCode: EXIT_CODES.entraUnknownClient,
    explain: (r) =>
      `Application ${r.clientId} has no service principal in tenant ${r.tenantId} (AADSTS7000229). The automation creates it; check the role's entra:federation-status tag and ask the platform team if it is not "federated".`,
  },
  '700027': {
    exitCode: EXIT_CODES.entraCertificateNotRegistered,
    explain: (r, c) =>
      `Entra does not accept this certificate for application ${r.clientId} (AADSTS700027): it is not registered on the application, or its registration expired. Thumbprint: ${thumbprint(c.certificate)}. An owner of the application adds it with: az ad app credential reset --id ${r.clientId} --cert @cert.pem --append`,
  },
  '90002': {
    exitCode: EXIT_CODES.entraTenantNotFound,
    explain: (r) => `Entra has no tenant ${r.tenantId} (AADSTS90002). Use the role's entra:tenant-id tag for --tenant-id.`,
  },
};

function explainEntraError(error: unknown, request: EntraTokenRequest, certificate: LoadedCertificate): HelperError {
  const message = error instanceof Error ? error.message : String(error);
  const code = /AADSTS(\d+)/.exec(message)?.[1];
  const known = code ? AADSTS_EXPLANATIONS[code] : undefined;
  if (known) return new HelperError(known.exitCode, known.explain(request, certificate), { cause: error });
  // With a non-default authority host MSAL reads the tenant's OpenID configuration first;
  // Entra answers an unknown tenant there (AADSTS90002) and MSAL reports only that it failed.
  if (/openid_config_error|endpoints_resolution_error/.test(message)) {
    return new HelperError(
      EXIT_CODES.entraTenantNotFound,
      `Could not read the OpenID configuration of tenant ${request.tenantId}${request.authorityHost ? ` at ${request.authorityHost}` : ''}: the tenant does not exist (use the role's entra:tenant-id tag) or the host is unreachable.`,
      { cause: error },
    );
  }
  const firstLine = message.split('\n').find((line) => line.includes('AADSTS')) ?? message.split('\n')[0];
  return new HelperError(EXIT_CODES.entraOther, `Entra refused the token request${code ? ` (AADSTS${code})` : ''}: ${firstLine.trim()}`, {
    cause: error,
  });
}
