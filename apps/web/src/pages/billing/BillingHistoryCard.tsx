import { Badge, Card, TableScroll } from "@cac/ui";
import { formatDate, formatMoney } from "./format";
import { isWebUrl } from "./stripe-pages";
import type { Overview } from "./types";

/** Payments and failed payments, with Stripe's invoice for each. */
export function BillingHistoryCard({ overview, timeZone }: { overview: Overview; timeZone: string }) {
  return (
    <Card id="billing-history" title="Billing history">
      {overview.history.length === 0 ? (
        <p className="muted">No payments yet. Invoices appear here after each payment.</p>
      ) : (
        <TableScroll label="Billing history">
          <table className="ui-table billing-table">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Description</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">Invoice</th>
              </tr>
            </thead>
            <tbody>
              {overview.history.map((record) => (
                <tr key={record.id}>
                  <td className="nowrap">
                    <time dateTime={record.date.toISOString()}>{formatDate(record.date, timeZone)}</time>
                  </td>
                  <td>{record.description ?? "Subscription"}</td>
                  <td className="num">{formatMoney(record.amountCents, record.currency)}</td>
                  <td>
                    {record.status === "paid" ? (
                      <Badge tone="success">Paid</Badge>
                    ) : (
                      <Badge tone="error">Payment failed</Badge>
                    )}
                  </td>
                  <td>
                    {record.invoiceUrl && isWebUrl(record.invoiceUrl) ? (
                      <a href={record.invoiceUrl} target="_blank" rel="noopener noreferrer">
                        View invoice
                        <span className="ui-visually-hidden">
                          {" "}
                          from {formatDate(record.date, timeZone)} (opens in a new tab)
                        </span>
                      </a>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Card>
  );
}
