// From a verified token to what alter knows about its user: the provider's claim mappings applied
// (user id, groups, roles) plus the standard profile claims. Shared by resolution, test-token and
// the wallet, so that all three see a token the same way.
import { claimList, stringClaim, type ClaimDebug } from './claims.js';
import type { VerifiedToken } from './verify.js';
import type { TokenIdentity } from '../store/repos/users.js';

export interface ClaimMappings {
  group_claim: string | null;
  role_claim: string | null;
}

export function identityFromToken(token: VerifiedToken, mappings: ClaimMappings, debug?: ClaimDebug): TokenIdentity {
  const { claims } = token;
  return {
    externalId: token.userId,
    email: stringClaim(claims, 'email'),
    name: stringClaim(claims, 'name'),
    groups: mappings.group_claim ? claimList(claims, mappings.group_claim, debug) : null,
    roles: mappings.role_claim ? claimList(claims, mappings.role_claim, debug) : null,
    issuedAt: token.iat,
  };
}
