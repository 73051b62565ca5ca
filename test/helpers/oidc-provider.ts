// A real OpenID provider (oidc-provider) on 127.0.0.1 for sign-in tests. Its interaction step signs
// in whoever `signInAs` names without a form (the test decides who the person is), then the
// standard authorization code flow with PKCE continues as with any provider.
import http from 'node:http';
import net from 'node:net';
import Provider from 'oidc-provider';

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next interaction signs in (its email; sub is the same). */
  signInAs: string;
  /** The email_verified claim the provider sends (true unless a test says otherwise; 'absent': none). */
  emailVerified: boolean | 'true' | 'false' | 'absent';
  close(): Promise<void>;
}

/** A free port on 127.0.0.1 (to know a redirect URL before the server that answers it starts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startOidcProvider(redirectUrls: string | string[]): Promise<TestProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const state: TestProvider = {
    issuer,
    clientId: 'argosctl-dashboard',
    clientSecret: 'test-client-secret-0123456789abcdef',
    signInAs: 'owner@example.com',
    emailVerified: true,
    close: async () => {},
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: state.clientId,
        client_secret: state.clientSecret,
        redirect_uris: Array.isArray(redirectUrls) ? redirectUrls : [redirectUrls],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email: sub,
        ...(state.emailVerified === 'absent' ? {} : { email_verified: state.emailVerified }),
      }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['oidc-test-cookie-key'] },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
  });
  const callback = provider.callback();
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: state.signInAs, clientId: String(details.params.client_id) });
      grant.addOIDCScope('openid email');
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: state.signInAs }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    })().catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** Follows redirects across both servers the way a browser would, one cookie jar per origin. */
export async function browse(
  start: string,
  jars: Map<string, Map<string, string>>,
  maxHops = 12,
): Promise<{ url: string; status: number; text: string; hops: string[] }> {
  let url = start;
  const hops: string[] = [];
  for (let i = 0; i < maxHops; i++) {
    const origin = new URL(url).origin;
    const jar = jars.get(origin) ?? new Map<string, string>();
    jars.set(origin, jar);
    const res = await fetch(url, {
      redirect: 'manual',
      headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const [name, ...value] = pair.split('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(set)) jar.delete(name);
      else jar.set(name, value.join('='));
    }
    hops.push(`${res.status} ${url}`);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.text();
      url = new URL(location, url).href;
      continue;
    }
    return { url, status: res.status, text: await res.text(), hops };
  }
  throw new Error(`more than ${maxHops} redirects: ${hops.join(' → ')}`);
}
