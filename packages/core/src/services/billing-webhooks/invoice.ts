import { accounts, billingRecords, type Db, subscriptions } from "@cac/db";
import { eq, ne } from "drizzle-orm";
import type Stripe from "stripe";
import { planFor } from "../../domain/plans";
import { emails } from "../../email/templates";
import type { MailMessage } from "../../ports";
import type { Tx } from "../rows";
import {
  accountByCustomer,
  accountBySubscription,
  accountExists,
  lockAccount,
  ownerEmails,
} from "./accounts";
import type { WebhookDeps } from "./events";
import { billingUrl, formatDate, formatMoney, fromUnix, idOf } from "./values";

/** The account an invoice belongs to: the subscription's metadata, else the known subscription or customer. */
export async function invoiceAccount(db: Db, invoice: Stripe.Invoice): Promise<string | null> {
  const details = invoice.parent?.subscription_details;
  // Older API versions: invoice.subscription and invoice.subscription_details.
  const legacy = invoice as unknown as {
    subscription?: string | { id: string } | null;
    subscription_details?: { metadata?: Record<string, string> | null } | null;
  };
  const subscriptionId = idOf(details?.subscription) ?? idOf(legacy.subscription);
  return (
    (await accountExists(db, details?.metadata?.accountId)) ??
    (await accountExists(db, legacy.subscription_details?.metadata?.accountId)) ??
    (await accountBySubscription(db, subscriptionId)) ??
    (await accountByCustomer(db, idOf(invoice.customer)))
  );
}

/** invoice.paid / invoice.payment_failed: one billing record per invoice; a failure tells the owners. */
export async function onInvoiceEvent(
  tx: Tx,
  deps: WebhookDeps,
  accountId: string,
  event: Stripe.InvoicePaidEvent | Stripe.InvoicePaymentFailedEvent,
  mails: MailMessage[],
) {
  await lockAccount(tx, accountId);
  const invoice = event.data.object;
  if (!invoice.id) return;
  const paid = event.type === "invoice.paid";
  const amountCents = paid ? invoice.amount_paid : invoice.amount_due;
  const occurredAt =
    (paid ? fromUnix(invoice.status_transitions?.paid_at) : null) ?? new Date(event.created * 1000);
  const values = {
    accountId,
    stripeInvoiceId: invoice.id,
    amountCents,
    currency: invoice.currency,
    status: paid ? "paid" : "failed",
    description: invoice.lines?.data?.[0]?.description ?? invoice.description ?? null,
    invoiceUrl: invoice.hosted_invoice_url ?? null,
    occurredAt,
  };
  // One record per invoice. Paid is final: a failed attempt delivered late never overwrites it.
  const written = await tx
    .insert(billingRecords)
    .values(values)
    .onConflictDoUpdate({
      target: billingRecords.stripeInvoiceId,
      set: values,
      setWhere: ne(billingRecords.status, "paid"),
    })
    .returning({ id: billingRecords.id });

  // No mail about a failure of an invoice that has been paid since.
  if (!paid && written.length > 0) {
    const [sub] = await tx
      .select({ plan: subscriptions.plan })
      .from(subscriptions)
      .where(eq(subscriptions.accountId, accountId));
    const [account] = await tx
      .select({ plan: accounts.plan, timezone: accounts.timezone })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    const planName = planFor(sub?.plan ?? account?.plan ?? "free").name;
    const nextAttempt = fromUnix(invoice.next_payment_attempt);
    for (const to of await ownerEmails(tx, accountId)) {
      mails.push(
        emails.paymentFailed(
          to,
          {
            planName,
            amount: formatMoney(amountCents, invoice.currency),
            nextAttempt: nextAttempt ? formatDate(nextAttempt, account?.timezone ?? "UTC") : null,
            invoiceUrl: invoice.hosted_invoice_url ?? null,
          },
          billingUrl(deps),
        ),
      );
    }
  }
}
