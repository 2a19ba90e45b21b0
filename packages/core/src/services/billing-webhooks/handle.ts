import { processedWebhookEvents } from "@cac/db";
import type Stripe from "stripe";
import type { MailMessage } from "../../ports";
import { accountByCustomer, accountBySubscription, accountExists } from "./accounts";
import { onCheckoutCompleted } from "./checkout";
import { HANDLED_STRIPE_EVENTS, Unmatched, type WebhookDeps, type WebhookOutcome } from "./events";
import { invoiceAccount, onInvoiceEvent } from "./invoice";
import { onSubscriptionEvent } from "./subscription";
import { idOf } from "./values";

/** Applies one verified Stripe event. Emails go out after the transaction commits. */
export async function handleStripeEvent(deps: WebhookDeps, event: Stripe.Event): Promise<WebhookOutcome> {
  const eventType = event.type;
  const log = deps.log;
  if (!(HANDLED_STRIPE_EVENTS as readonly string[]).includes(eventType)) {
    log.info({ stripeEvent: event.id, type: eventType }, "stripe event not handled; acknowledged");
    return { result: "ignored", eventType };
  }
  const mails: MailMessage[] = [];
  let result: WebhookOutcome["result"];
  try {
    result = await deps.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(processedWebhookEvents)
        .values({ id: event.id, provider: "stripe", type: eventType })
        .onConflictDoNothing()
        .returning({ id: processedWebhookEvents.id });
      if (inserted.length === 0) return "duplicate" as const;

      switch (event.type) {
        case "checkout.session.completed":
          if (event.data.object.mode !== "subscription") return "processed" as const;
          await onCheckoutCompleted(tx, deps, event.data.object);
          return "processed" as const;
        case "customer.subscription.created":
        case "customer.subscription.updated":
        case "customer.subscription.deleted": {
          const subscription = event.data.object;
          const accountId =
            (await accountExists(tx, subscription.metadata?.accountId)) ??
            (await accountBySubscription(tx, subscription.id)) ??
            (await accountByCustomer(tx, idOf(subscription.customer)));
          if (!accountId) throw new Unmatched();
          return await onSubscriptionEvent(tx, deps, accountId, event, mails);
        }
        case "invoice.paid":
        case "invoice.payment_failed": {
          const accountId = await invoiceAccount(tx, event.data.object);
          if (!accountId) throw new Unmatched();
          await onInvoiceEvent(tx, deps, accountId, event, mails);
          return "processed" as const;
        }
        default:
          return "processed" as const;
      }
    });
  } catch (error) {
    if (!(error instanceof Unmatched)) throw error;
    log.warn(
      { stripeEvent: event.id, type: eventType },
      "stripe event matches no account; acknowledged, nothing written",
    );
    return { result: "unmatched", eventType };
  }

  if (result === "duplicate") {
    log.info({ stripeEvent: event.id, type: eventType }, "stripe event already processed");
  } else if (result === "stale") {
    log.info(
      { stripeEvent: event.id, type: eventType },
      "stripe event older than the applied state; nothing changed",
    );
  }
  for (const mail of mails) await deps.mailer.send(mail);
  return { result, eventType };
}
