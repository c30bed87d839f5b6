// A real OpenID Connect provider for Vigie 15's single sign-on tests (npm package oidc-provider).
// Usage: node tests/oidc/provider.js PORT [REDIRECT_URI]
// Two confidential clients (RS256 and ES256 ID tokens), PKCE required, and the development
// login/consent pages: any login name is accepted and becomes the account id. Account "alice"
// carries a `groups` claim used by the tests' role mapping.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 0);
const redirect = process.argv[3] || 'http://127.0.0.1:8000/api/v1/auth/oidc/callback';
const issuer = `http://127.0.0.1:${port}`;

const key = (type, options, alg, kid) => {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid };
};

const GROUPS = {
  alice: ['noc-oncall', 'staff'],
  bob: ['samu-075-managers'],
  carol: ['visitors'],
};

const client = (id, alg) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: [redirect],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: alg,
});

const provider = new Provider(issuer, {
  clients: [client('vigie', 'RS256'), client('vigie-es', 'ES256')],
  jwks: {
    keys: [
      key('rsa', { modulusLength: 2048 }, 'RS256', 'rsa-1'),
      key('ec', { namedCurve: 'P-256' }, 'ES256', 'ec-1'),
    ],
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  conformIdTokenClaims: false, // put the scope's claims in the ID token itself
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: id,
      name: `${id[0].toUpperCase()}${id.slice(1)} Test`,
      preferred_username: id,
      email: `${id}@example.test`,
      groups: GROUPS[id] || [],
    }),
  }),
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
