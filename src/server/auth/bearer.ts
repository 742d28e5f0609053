// `Authorization: Bearer <token>`. The scheme name is case-insensitive (RFC 9110 §11.1: `bearer`, `BEARER`
// and `Bearer` are the same scheme), and any run of spaces may separate it from the token.
const BEARER = /^bearer +(\S+) *$/i;

/** The token of a Bearer authorization header, or undefined when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}
