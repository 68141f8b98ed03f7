/**
 * The helper's exit codes. They are a public interface: CI pipelines branch on them and
 * docs/app-teams.md documents them, so a code never changes meaning once released.
 */
export const EXIT_CODES = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  certificate: 3,
  entraUnknownClient: 4,
  entraCertificateNotRegistered: 5,
  entraTenantNotFound: 6,
  entraOther: 7,
  stsAccessDenied: 8,
  stsInvalidIdentityToken: 9,
  stsExpiredToken: 10,
  stsOther: 11,
  doctorMismatch: 12,
  /** The platform gave no token: managed identity endpoint, GitHub Actions OIDC request, or federated token file. */
  tokenSourceUnavailable: 13,
  /** Entra refused a federated token: no federated identity credential matches its issuer, subject and audience. */
  entraFederatedCredentialMismatch: 14,
  /** The cache directory (or the --token-file directory) is a place another local user could tamper with. */
  insecureLocation: 15,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * A failure the helper explains itself: `message` says what went wrong and how to fix it,
 * and is printed as is on stderr (the AWS CLI shows a credential_process's stderr).
 * Not an `AutomationError`: those names are the state machines' contract, this is a CLI's.
 */
export class HelperError extends Error {
  override readonly name = 'HelperError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
