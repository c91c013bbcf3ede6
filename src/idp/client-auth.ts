// How a confidential client authenticates at a provider's token endpoint: client_secret_basic
// unless the provider lists only client_secret_post (OpenID Connect Discovery: an absent list means
// basic only). Used by the wallet's code exchange and the credential probe, so both encode alike.
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** The method to use, or null when the provider lists neither secret-based method. */
export function clientAuthMethod(document: Record<string, unknown>): ClientAuthMethod | null {
  const listed = document.token_endpoint_auth_methods_supported;
  if (!Array.isArray(listed) || listed.includes('client_secret_basic')) return 'client_secret_basic';
  if (listed.includes('client_secret_post')) return 'client_secret_post';
  return null;
}

/** Adds the client's credentials to a token request, in the header or the form as the method says. */
export function authenticateClient(method: ClientAuthMethod, clientId: string, clientSecret: string, headers: Record<string, string>, form: URLSearchParams): void {
  if (method === 'client_secret_basic') {
    // RFC 6749 §2.3.1: each part is form-urlencoded before the pair is base64-encoded.
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    form.set('client_secret', clientSecret);
  }
}
