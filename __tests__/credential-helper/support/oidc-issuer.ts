import { createHash, generateKeyPairSync } from 'node:crypto';
import { signJwt, type JsonWebKeyWithKid } from './entra-fake';

/**
 * A token issuer outside Entra that a federated identity credential trusts: a Kubernetes
 * cluster's service account issuer, or GitHub Actions' token.actions.githubusercontent.com.
 * It signs RS256 JWTs and publishes its key as a JWKS, as both do through OpenID discovery.
 */
export interface OidcIssuer {
  issuer: string;
  jwks: { keys: JsonWebKeyWithKid[] };
  sign: (claims: Record<string, unknown>) => string;
}

export function makeOidcIssuer(issuer: string): OidcIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url')
    .slice(0, 27);
  return {
    issuer,
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' }] },
    sign: (claims) => signJwt({ typ: 'JWT', alg: 'RS256', kid }, { iss: issuer, ...claims }, privateKey),
  };
}
