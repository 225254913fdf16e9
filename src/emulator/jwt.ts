import { errors, exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { newId } from './tokens.js';

export type JwtCheck = { status: 'ok'; payload: JWTPayload } | { status: 'expired' } | { status: 'invalid' };

/** An RS256 key pair made at start: signs the emulator's JWTs and verifies them on the model endpoints. */
export interface JwtSigner {
  /** Signs `claims` as given; the caller sets iat, exp and the rest. */
  sign(claims: JWTPayload): Promise<string>;
  verify(token: string, issuer: string): Promise<JwtCheck>;
  jwks(): { keys: JWK[] };
}

export async function createJwtSigner(): Promise<JwtSigner> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = newId('emu', 8);
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    sign: (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey),
    async verify(token, issuer) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer, algorithms: ['RS256'] });
        return { status: 'ok', payload };
      } catch (err) {
        return { status: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
      }
    },
    jwks: () => ({ keys: [publicJwk] }),
  };
}
