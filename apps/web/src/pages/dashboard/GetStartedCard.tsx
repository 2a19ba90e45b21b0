import { Badge, Card } from "@cac/ui";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useMe } from "../../components/MeContext";
import { displayUrl } from "../../lib/format";
import type { RouterOutputs } from "../../trpc";
import { TryPageLink } from "./TryPageLink";

type Checklist = RouterOutputs["dashboard"]["overview"]["checklist"];
type Step = { key: string; title: string; done: boolean; body: ReactNode };

/** The host of an origin, for "Seen on acme-plumbing.com". */
function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

/**
 * "Get started", each step ticked from the account's data (dashboard.overview) and linking to where
 * it is done. It says only what this account can do: a phone number is offered only when the
 * server has Twilio and the plan includes it.
 */
export function GetStartedCard({ checklist }: { checklist: Checklist }) {
  const { user, account } = useMe();
  const button = checklist.firstButton;
  const buttonPath = button ? `/buttons/${button.id}` : "/buttons/new";
  const steps: Step[] = [
    {
      key: "email",
      title: "Confirm your email address",
      done: checklist.emailConfirmed,
      body: checklist.emailConfirmed ? (
        <>We write to {user.email}.</>
      ) : (
        <>
          Open the link we sent to {user.email}. You can send a new one from the banner above. Until then your
          buttons work only on their test page, not on your website.
        </>
      ),
    },
    {
      key: "button",
      title: "Create a call button",
      done: checklist.buttonCreated,
      body: checklist.buttonCreated ? (
        <>
          Change its look, hours and who it rings in <Link to={buttonPath}>its settings</Link>.
        </>
      ) : (
        <>
          Choose its label, colors and opening hours: <Link to="/buttons/new">create a button</Link>.
        </>
      ),
    },
    {
      key: "snippet",
      title: `Add it to ${displayUrl(account.websiteUrl)}`,
      done: checklist.snippetSeen,
      body: checklist.seenOn ? (
        <>Your button was seen on {hostOf(checklist.seenOn)}.</>
      ) : (
        <>
          Paste <Link to={button ? `${buttonPath}#snippet` : "/buttons/new"}>its snippet</Link> into your
          site. This step is ticked once your button loads there.
        </>
      ),
    },
    {
      key: "answer",
      title: "Be ready to answer",
      done: checklist.answerReady,
      body: (
        <>
          Turn on “Available to answer calls” at the top of the page: calls then ring in this portal
          {checklist.canRingPhone ? (
            <>
              , or have a button ring your phone in <Link to={buttonPath}>its settings</Link>
            </>
          ) : null}
          . <Link to="/account#availability">Your availability</Link>
        </>
      ),
    },
    {
      key: "call",
      title: "Take your first call",
      done: checklist.firstCallAnswered,
      body: button ? (
        <>
          Call yourself from your button's test page and answer here:{" "}
          <TryPageLink publicId={button.publicId} />
        </>
      ) : (
        <>Once you have a button, you can call yourself from its test page.</>
      ),
    },
  ];
  const left = steps.filter((step) => !step.done).length;

  return (
    <Card
      title="Get started"
      description={`${left} of ${steps.length} steps left to your first call.`}
      id="get-started"
    >
      <ol className="steps">
        {steps.map((step) => (
          <li key={step.key} className={step.done ? "step step--done" : "step"} data-step={step.key}>
            <span className="step-marker" aria-hidden="true">
              {step.done ? "✓" : ""}
            </span>
            <div>
              <h3 className="step-title">
                {step.title} {step.done ? <Badge tone="success">Done</Badge> : null}
              </h3>
              <p className="step-body">{step.body}</p>
            </div>
          </li>
        ))}
      </ol>
    </Card>
  );
}
