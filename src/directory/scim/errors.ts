// SCIM's own error shape (RFC 7644 §3.12). SCIM clients (Okta, Entra ID) read `status` and
// `scimType` from the body, not alter's usual {error:{code}} envelope, so the SCIM endpoints answer
// with this instead of AlterError.

export type ScimType =
  | 'invalidFilter'
  | 'invalidValue'
  | 'invalidSyntax'
  | 'mutability'
  | 'noTarget'
  | 'uniqueness'
  | 'invalidPath'
  | 'tooMany';

export const SCIM_ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | null;

  constructor(status: number, scimType: ScimType | null, detail: string) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
  }
}

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_URN];
  /** A string: RFC 7644 §3.12 says so, and Entra ID rejects a number. */
  status: string;
  scimType?: ScimType;
  detail: string;
}

export function scimErrorBody(err: ScimError): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [SCIM_ERROR_URN], status: String(err.status), detail: err.message };
  if (err.scimType !== null) body.scimType = err.scimType;
  return body;
}

/** The 400 every parser in this directory throws: the request, not alter, is wrong. */
export function badRequest(scimType: ScimType, detail: string): ScimError {
  return new ScimError(400, scimType, detail);
}

/** A piece of client input inside an error detail: quoted, escaped and cut short. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
