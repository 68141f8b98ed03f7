import { HelperError, EXIT_CODES } from './exit-codes';

/** The Entra access-token claims the helper and `doctor` read (v1 and v2 tokens). */
export interface EntraTokenClaims {
  iss?: string;
  aud?: string | string[];
  /** v2 tokens only: the client that requested the token. IAM's `:aud` key reads it when present. */
  azp?: string;
  /** v1 tokens: the client that requested the token. */
  appid?: string;
  sub?: string;
  oid?: string;
  tid?: string;
  ver?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  [claim: string]: unknown;
}

/** Decodes a JWT's header and payload without verifying it: enough to explain, never to trust. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: EntraTokenClaims } {
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    throw new HelperError(EXIT_CODES.usage, `The token is not a JWT (expected 3 dot-separated parts, found ${parts.length}).`);
  }
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as EntraTokenClaims;
    return { header, claims };
  } catch (error) {
    throw new HelperError(EXIT_CODES.usage, 'The token is not a JWT: its header or payload is not base64url-encoded JSON.', {
      cause: error,
    });
  }
}

/** The audience IAM compares with a trust policy's `:aud` key: `azp` when present, else `aud`. */
export function iamAudience(claims: EntraTokenClaims): string | undefined {
  if (typeof claims.azp === 'string') return claims.azp;
  return Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
}
