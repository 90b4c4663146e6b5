import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a tenant's link lets its holder do: act on one incident, as one tenant, until it expires. */
export interface TenantLink {
  incidentId: string;
  tenantId: string;
  expiresAt: Date;
}

const payloadSchema = z.object({ i: z.string(), t: z.string(), e: z.number().int() });

export class InvalidLinkError extends Error {
  constructor(readonly reason: 'malformed' | 'bad_signature' | 'expired') {
    super(`tenant link ${reason.replace('_', ' ')}`);
    this.name = 'InvalidLinkError';
  }
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function signTenantLink(link: TenantLink, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({ i: link.incidentId, t: link.tenantId, e: Math.floor(link.expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

export function verifyTenantLink(token: string, secret: string, now: Date): TenantLink {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) throw new InvalidLinkError('malformed');
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidLinkError('bad_signature');
  let decoded: z.infer<typeof payloadSchema>;
  try {
    decoded = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidLinkError('malformed');
  }
  const expiresAt = new Date(decoded.e * 1000);
  if (expiresAt.getTime() <= now.getTime()) throw new InvalidLinkError('expired');
  return { incidentId: decoded.i, tenantId: decoded.t, expiresAt };
}

export function tenantLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/links/${token}`;
}
