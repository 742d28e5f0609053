// Signed approval links: HMAC-SHA256 over the response id and the expiry, compared in constant time. The
// signature proves the link came from Vigil; single use is enforced by the response row, not by the link.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signApproval(secret: string, responseId: number, expiresAt: number): string {
  return createHmac('sha256', secret).update(`vigil-approval\u0000${responseId}\u0000${expiresAt}`).digest('base64url');
}

export function verifyApproval(secret: string, responseId: number, expiresAt: number, signature: string): boolean {
  const expected = Buffer.from(signApproval(secret, responseId, expiresAt));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** `publicUrl`: where people reach Vigil (configured, or derived from the listen address; see public-url.ts). */
export function approvalUrl(publicUrl: string, secret: string, responseId: number, expiresAt: number): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/api/v1/approvals/${responseId}?exp=${expiresAt}&sig=${signApproval(secret, responseId, expiresAt)}`;
}
