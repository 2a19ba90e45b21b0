import type { Ports, Settings } from "@cac/core";
import { handleStripeEvent } from "@cac/core";
import type { FastifyInstance } from "fastify";

/**
 * `POST /webhooks/stripe`: the Stripe-Signature is checked over the raw body (constructEvent),
 * so this plugin keeps the body as bytes; other routes (/trpc) keep their own parsers.
 * 400 and nothing written for a missing or invalid signature; 200 for a duplicate or unknown event;
 * 500 (Stripe retries) when applying it fails.
 */
export async function registerStripeWebhook(app: FastifyInstance, ports: Ports, settings: Settings) {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

    scope.post("/webhooks/stripe", async (req, reply) => {
      const billing = ports.billing;
      if (billing.mode !== "stripe") {
        return reply.code(404).send({ error: "Stripe billing is not configured on this server." });
      }
      const signature = req.headers["stripe-signature"];
      const body = req.body;
      if (typeof signature !== "string" || !signature || !Buffer.isBuffer(body)) {
        return reply.code(400).send({ error: "Missing Stripe-Signature header or body." });
      }
      let event: ReturnType<typeof billing.constructWebhookEvent>;
      try {
        event = billing.constructWebhookEvent(body, signature);
      } catch (error) {
        req.log.warn({ err: error }, "stripe webhook refused: invalid signature");
        return reply.code(400).send({ error: "Invalid Stripe-Signature." });
      }
      try {
        const outcome = await handleStripeEvent({ ...ports, billing, log: req.log, settings }, event);
        return reply.code(200).send({ received: true, ...outcome });
      } catch (error) {
        req.log.error(
          { err: error, stripeEvent: event.id, type: event.type },
          "stripe webhook failed; Stripe will retry",
        );
        return reply.code(500).send({ error: "The event could not be applied; it will be retried." });
      }
    });
  });
}
