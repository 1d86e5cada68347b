// An OpenID Connect provider for the sign-in tests: npm's oidc-provider on 127.0.0.1.
//
// node oidc_provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// One confidential client (authorization code flow, PKCE required). The development
// login form accepts any login: it becomes the account's subject and, when it holds an
// "@", its verified e-mail address ("unverified:" before it: an unverified one).
// Prints "ready" once listening.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

function claimsOf(login) {
  const unverified = login.startsWith("unverified:");
  const address = unverified ? login.slice("unverified:".length) : login;
  if (!address.includes("@")) return { sub: login };
  return { sub: login, email: address, email_verified: !unverified };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  pkce: { required: () => true },
  cookies: { keys: ["lrs-tests-only"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, sub) {
    return { accountId: sub, claims: async () => claimsOf(sub) };
  },
});
// The tests run over plain HTTP on the loopback interface.
provider.proxy = false;

const server = provider.listen(Number(port), "127.0.0.1", () => {
  process.stdout.write("ready\n");
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
