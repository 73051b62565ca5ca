// Sign-in with OpenID Connect: the authorization code flow with PKCE, state and nonce, through
// openid-client. The state, nonce and code verifier ride in a short-lived HttpOnly cookie of the
// browser that started the sign-in (so any replica can finish it); the callback accepts a code only
// with that browser's state, and an ID token only with its nonce.
import * as client from 'openid-client';
import { UserError } from '../errors.js';
import type { DashboardOidc } from '../manifest/manifest-types.generated.js';

export interface OidcSignIn {
  /** Where to send the browser, and the cookie value that must come back to the callback. */
  start(): Promise<{ url: string; pending: string }>;
  /** The verified email of the person the provider signed in. */
  finish(callbackQuery: string, pending: string | undefined): Promise<string>;
}

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
}

const isLoopbackHttp = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url);

/** The client secret from the environment variable `env:NAME` names; never from the file. */
export function oidcSecret(settings: DashboardOidc, env: NodeJS.ProcessEnv): string {
  const name = settings.clientSecret.slice('env:'.length);
  const value = env[name];
  if (!value)
    throw new UserError(
      `dashboard.oidc.clientSecret names ${name}, which is unset or empty`,
      `export ${name}=… (the client secret from the OpenID provider)`,
    );
  return value;
}

export async function discoverOidc(settings: DashboardOidc, secret: string): Promise<OidcSignIn> {
  const insecure = isLoopbackHttp(settings.issuer);
  let config: client.Configuration;
  try {
    config = await client.discovery(
      new URL(settings.issuer),
      settings.clientId,
      undefined,
      client.ClientSecretPost(secret),
      insecure ? { execute: [client.allowInsecureRequests] } : undefined,
    );
  } catch (error) {
    throw new UserError(
      `cannot read the OpenID configuration of ${settings.issuer}: ${(error as Error).message}`,
      'check dashboard.oidc.issuer in argosctl.yaml and that the provider is reachable',
    );
  }
  return {
    async start() {
      const pending: Pending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: 'openid email',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, pending: Buffer.from(JSON.stringify(pending)).toString('base64url') };
    },
    async finish(callbackQuery, pendingCookie) {
      let pending: Pending;
      try {
        pending = JSON.parse(Buffer.from(pendingCookie ?? '', 'base64url').toString('utf8')) as Pending;
      } catch {
        throw new UserError('the sign-in was not started in this browser (or took longer than 10 minutes)');
      }
      if (!pending?.state)
        throw new UserError('the sign-in was not started in this browser (or took longer than 10 minutes)');
      const current = new URL(settings.redirectUrl);
      current.search = callbackQuery;
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new UserError('the OpenID provider sent no ID token');
      // Providers that follow the spec to the letter put scope claims only in UserInfo.
      const info =
        typeof claims.email === 'string' ? claims : await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      const email = typeof info.email === 'string' ? info.email : undefined;
      if (!email) throw new UserError('the OpenID provider gave no email for this account');
      // A missing claim is not a verified email: where a provider lets anyone set an account's email
      // (multi-tenant issuers), it would sign in whoever claims an admin's or auditor's address. Some
      // providers send the claim as the string "true" or "false" (Cognito's UserInfo).
      const claim = typeof info.email_verified === 'string' ? info.email_verified.toLowerCase() : info.email_verified;
      const saidFalse = claim === false || claim === 'false';
      const saidTrue = claim === true || claim === 'true';
      if (saidFalse || (!saidTrue && settings.requireVerifiedEmail !== false))
        throw new UserError(
          saidFalse
            ? `the OpenID provider has not verified ${email}`
            : `the OpenID provider did not say it verified ${email} (no email_verified claim)`,
          'dashboard.oidc.requireVerifiedEmail: false in argosctl.yaml accepts it, only for a provider that never sends the claim and admits only your organization',
        );
      return email;
    },
  };
}
