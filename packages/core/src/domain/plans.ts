/** The plans, in one place. Prices are in cents; Stripe price ids come from config. */
export type PlanId = "free" | "starter" | "pro";

export type Plan = {
  id: PlanId;
  name: string;
  monthlyPriceCents: number;
  /** Enabled buttons at once. */
  buttonsAllowed: number;
  /** Members of the account (owners, admins and agents), pending invitations counted at invite time. */
  seatsAllowed: number;
  minutesPerMonth: number;
  maxCallSeconds: number;
  /** Whether buttons may ring a phone number (Twilio) rather than only the portal. */
  canRingPhone: boolean;
};

export const plans: Record<PlanId, Plan> = {
  free: {
    id: "free",
    name: "Free",
    monthlyPriceCents: 0,
    buttonsAllowed: 1,
    seatsAllowed: 2,
    minutesPerMonth: 60,
    maxCallSeconds: 10 * 60,
    canRingPhone: false,
  },
  starter: {
    id: "starter",
    name: "Starter",
    monthlyPriceCents: 1900,
    buttonsAllowed: 5,
    seatsAllowed: 5,
    minutesPerMonth: 500,
    maxCallSeconds: 30 * 60,
    canRingPhone: true,
  },
  pro: {
    id: "pro",
    name: "Pro",
    monthlyPriceCents: 7900,
    buttonsAllowed: 50,
    seatsAllowed: 25,
    minutesPerMonth: 3000,
    maxCallSeconds: 60 * 60,
    canRingPhone: true,
  },
};

export function planFor(planId: string): Plan {
  return plans[planId as PlanId] ?? plans.free;
}
