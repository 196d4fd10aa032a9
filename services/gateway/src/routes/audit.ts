import { type App, decodeCursor, pageQuery, paginate, type ServiceRuntime, Type } from '@easypark/platform';
import * as store from '../store.ts';

/** The audit list's cursor: the last audit_id handed out (a bigint, which arrives as text). */
const isAuditCursor = (value: unknown): value is number =>
  (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) ||
  (typeof value === 'string' && /^[1-9]\d{0,17}$/.test(value));

const TenantId = Type.String({ pattern: '^ten_[0-9a-f]{32}$' });

export function auditRoutes(app: App, runtime: ServiceRuntime): void {
  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit trail: every state-changing call and sign-in, newest first',
        description:
          'Tenant admins see their tenant’s (calls by its staff and machine clients); platform admins see all, ' +
          'or one tenant’s with `tenant_id`. Rows are never changed or deleted.',
        querystring: Type.Object({
          ...pageQuery,
          tenant_id: Type.Optional(TenantId),
          actor: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await store.listAudit(
        runtime.pool,
        {
          tenantId: principal.role === 'tenant_admin' ? principal.tenant_id! : (q.tenant_id ?? null),
          actor: q.actor,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        },
        limit + 1,
        decodeCursor(q.cursor, isAuditCursor),
      );
      return paginate(request, reply, rows, limit, (r) => r.audit_id).map((r) => ({
        audit_id: String(r.audit_id),
        at: r.at.toISOString(),
        tenant_id: r.tenant_id,
        actor: r.actor,
        actor_role: r.actor_role,
        method: r.method,
        path: r.path,
        status: r.status,
        outcome: r.outcome,
        ip: r.ip,
        user_agent: r.user_agent,
        request_id: r.request_id,
      }));
    },
  );
}
