// Where a provider's SCIM service lives, as the identity provider is told to call it.
export function scimBaseUrl(publicUrl: string, providerId: string): string {
  return `${publicUrl}/scim/v2/idp/${providerId}`;
}
