import { Card } from '~/components/ui';
import { canAdmin } from '~/lib/roles';
import { useViewer } from '../_app/route';
import { AuditEntries } from '../_app.settings/audit-log-card';

/** An order's own audit log entries (ADMINs only, as the audit log is): who changed what, including Stripe and API keys. */
export function AuditEntriesCard({ orderId }: { orderId: string }) {
  const viewer = useViewer();
  if (!canAdmin(viewer.role)) return null;
  return (
    <Card title="Audit log">
      <AuditEntries key={orderId} filter={{ targetId: orderId }} emptyText="No entries for this order." />
    </Card>
  );
}
