import type { RouterOutputs } from "@cac/trpc";
import { Alert, Button, ErrorState, Skeleton, TextField } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type RefObject, useEffect, useState } from "react";
import { describeError } from "../../lib/errors";
import { formatUsPhone } from "../../lib/format";
import { useTRPC } from "../../trpc";
import { type Choice, ChoiceGroup } from "./ChoiceGroup";
import { EditorSection } from "./EditorSection";

type Routing = RouterOutputs["buttons"]["routing"];
type Who = Routing["who"];
type Strategy = Routing["strategy"];
type Chosen = { userId: string; name: string; ringSeconds: number | null };

/** What the routing form sends, built the same way for saving and for telling whether it changed. */
function routingInput(who: Who, strategy: Strategy, stepSeconds: string, chosen: readonly Chosen[]) {
  return {
    who,
    strategy,
    stepSeconds: Number(stepSeconds),
    members: who === "chosen" ? chosen.map(({ userId, ringSeconds }) => ({ userId, ringSeconds })) : [],
  };
}

/** Lets the page around the section save pending routing changes with its own Next or Save. */
export type RoutingControls = {
  /** Saves the routing if it changed; false when the server refused it (its message is shown). */
  saveIfChanged: () => Promise<boolean>;
};
type RoutingHooks = {
  /** Filled with the section's controls while its form is on screen. */
  controls?: RefObject<RoutingControls | null>;
  /** Told whether the routing has unsaved changes, for the page's leave guard. */
  onDirtyChange?: (dirty: boolean) => void;
};

const whoOptions: ReadonlyArray<Choice<Who>> = [
  {
    value: "all",
    label: "All members",
    hint: "Everyone in your team who is available (one after another: longest-standing members first).",
  },
  { value: "chosen", label: "Chosen members", hint: "Only the members you pick, in the order you set." },
];
const strategyOptions: ReadonlyArray<Choice<Strategy>> = [
  {
    value: "ring-all",
    label: "Ring everyone at once",
    hint: "The first to answer takes the call; the others see who did.",
  },
  {
    value: "in-order",
    label: "Ring one after another",
    hint: "Each member rings for their ring time, then the next one. Members who are away are skipped.",
  },
];

/**
 * Who a button's calls ring, and how: its own form beside the button's fields (routing is saved
 * on its own, and only owners and admins may change it).
 */
export function RoutingSection({
  buttonId,
  phoneNumber,
  ...hooks
}: { buttonId: string; phoneNumber: string | null } & RoutingHooks) {
  const trpc = useTRPC();
  const routing = useQuery(trpc.buttons.routing.queryOptions({ id: buttonId }));
  const description = "Who hears a call from this button, and in which order.";
  if (routing.isPending) {
    return (
      <EditorSection id="routing" title="Call routing" description={description}>
        <Skeleton lines={4} label="Loading the routing…" />
      </EditorSection>
    );
  }
  if (routing.isError) {
    const error = describeError(routing.error);
    return (
      <EditorSection id="routing" title="Call routing" description={description}>
        <ErrorState
          title="We could not load the routing"
          message={
            error.httpStatus === 403
              ? "Only owners and admins can see and change call routing."
              : error.message
          }
          onRetry={error.httpStatus === 403 ? undefined : () => routing.refetch()}
          retrying={routing.isFetching}
        />
      </EditorSection>
    );
  }
  return (
    <EditorSection id="routing" title="Call routing" description={description}>
      <RoutingForm buttonId={buttonId} routing={routing.data} phoneNumber={phoneNumber} {...hooks} />
    </EditorSection>
  );
}

function RoutingForm({
  buttonId,
  routing,
  phoneNumber,
  controls,
  onDirtyChange,
}: {
  buttonId: string;
  routing: Routing;
  phoneNumber: string | null;
} & RoutingHooks) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [who, setWho] = useState<Who>(routing.who);
  const [strategy, setStrategy] = useState<Strategy>(routing.strategy);
  const [stepSeconds, setStepSeconds] = useState(String(routing.stepSeconds));
  const [chosen, setChosen] = useState<Chosen[]>(routing.members);
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.buttons.setRouting.mutationOptions({
      onSuccess: (view) => {
        queryClient.setQueryData(trpc.buttons.routing.queryKey({ id: buttonId }), view);
        setSaved(true);
      },
    }),
  );
  const inOrder = strategy === "in-order";
  const isChosen = (userId: string) => chosen.some((member) => member.userId === userId);
  const toggle = (member: { userId: string; name: string }) =>
    setChosen((current) =>
      isChosen(member.userId)
        ? current.filter((m) => m.userId !== member.userId)
        : [...current, { ...member, ringSeconds: null }],
    );
  const move = (index: number, by: -1 | 1) =>
    setChosen((current) => {
      const next = [...current];
      const [member] = next.splice(index, 1);
      if (member) next.splice(index + by, 0, member);
      return next;
    });
  const setRing = (userId: string, value: string) =>
    setChosen((current) =>
      current.map((m) =>
        m.userId === userId ? { ...m, ringSeconds: value === "" ? null : Number(value) } : m,
      ),
    );

  const input = routingInput(who, strategy, stepSeconds, chosen);
  // Compared with what the server last returned (the cache takes each saved routing).
  const dirty =
    JSON.stringify(input) !==
    JSON.stringify(routingInput(routing.who, routing.strategy, String(routing.stepSeconds), routing.members));
  useEffect(() => {
    onDirtyChange?.(dirty);
  }, [dirty, onDirtyChange]);
  // Unmounted (another wizard step): nothing pending here any more.
  useEffect(
    () => () => {
      onDirtyChange?.(false);
    },
    [onDirtyChange],
  );

  const send = () => {
    setSaved(false);
    return save.mutateAsync({ id: buttonId, ...input });
  };
  if (controls) {
    controls.current = {
      saveIfChanged: () =>
        dirty
          ? send().then(
              () => true,
              () => false,
            )
          : Promise.resolve(true),
    };
  }
  useEffect(
    () => () => {
      if (controls) controls.current = null;
    },
    [controls],
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // The refusal is shown from the mutation's state below.
    send().catch(() => undefined);
  };
  const error = save.error ? describeError(save.error) : null;
  // What the end of the routing leads to: the number rings after the members, never with them.
  const fallback = phoneNumber
    ? `If nobody answers, or nobody is available: then your phone number, ${formatUsPhone(phoneNumber)} (when phone calls are on), then the callback form.`
    : "If nobody answers, or nobody is available: the visitor is offered the callback form.";

  return (
    // The server checks the ring times and says why one is refused (the browser's own bubbles would not).
    <form className="stack routing-form" onSubmit={onSubmit} aria-label="Call routing" noValidate>
      <ChoiceGroup legend="Who rings" name="routing-who" options={whoOptions} value={who} onChange={setWho} />

      {who === "chosen" ? (
        <fieldset className="stack routing-members">
          <legend className="ui-label">Members</legend>
          {routing.candidates.length === 0 ? (
            <p className="muted">Your team has no members yet.</p>
          ) : (
            routing.candidates.map((member) => (
              <label key={member.userId} className="routing-pick">
                <input type="checkbox" checked={isChosen(member.userId)} onChange={() => toggle(member)} />
                <span>{member.name}</span>
              </label>
            ))
          )}
        </fieldset>
      ) : null}

      <ChoiceGroup
        legend="How"
        name="routing-strategy"
        options={strategyOptions}
        value={strategy}
        onChange={setStrategy}
      />

      {inOrder ? (
        <TextField
          label="Ring time per member (seconds)"
          hint="From 5 to 120 seconds. A member below can have their own."
          type="number"
          min={5}
          max={120}
          inputMode="numeric"
          required
          className="routing-seconds-field"
          value={stepSeconds}
          onChange={(event) => setStepSeconds(event.target.value)}
        />
      ) : null}

      {inOrder && who === "chosen" && chosen.length > 0 ? (
        <ol className="routing-order" aria-label="Ringing order">
          {chosen.map((member, index) => (
            <li key={member.userId} className="routing-step">
              <span className="routing-step-name">
                {index + 1}. {member.name}
              </span>
              <label className="routing-step-time">
                <span>Rings for</span>
                <span className="ui-input-row routing-seconds">
                  <input
                    className="ui-input"
                    type="number"
                    min={5}
                    max={120}
                    inputMode="numeric"
                    placeholder={stepSeconds}
                    aria-label={`Ring time for ${member.name} (seconds)`}
                    value={member.ringSeconds ?? ""}
                    onChange={(event) => setRing(member.userId, event.target.value)}
                  />
                </span>
                <span>s</span>
              </label>
              <span className="routing-step-moves">
                <Button
                  type="button"
                  size="sm"
                  variant="secondary"
                  disabled={index === 0}
                  onClick={() => move(index, -1)}
                  aria-label={`Move ${member.name} up`}
                >
                  ↑
                </Button>
                <Button
                  type="button"
                  size="sm"
                  variant="secondary"
                  disabled={index === chosen.length - 1}
                  onClick={() => move(index, 1)}
                  aria-label={`Move ${member.name} down`}
                >
                  ↓
                </Button>
              </span>
            </li>
          ))}
        </ol>
      ) : null}

      <p className="muted routing-fallback">{fallback}</p>
      <PushColdStartNote />
      {error ? (
        <Alert tone="error" title="The routing was not saved">
          {[error.message, ...new Set(Object.values(error.fieldErrors).flat())].join(" ")}
        </Alert>
      ) : null}
      {saved ? <Alert tone="success">Routing saved.</Alert> : null}
      <div>
        <Button type="submit" pending={save.isPending} pendingLabel="Saving…">
          Save routing
        </Button>
      </div>
    </form>
  );
}

/**
 * Members away from the portal can be rung by push; opening the portal from the notification takes
 * a moment, and the ring waits for it (the server's cold start allowance).
 */
function PushColdStartNote() {
  const trpc = useTRPC();
  const config = useQuery({ ...trpc.notifications.config.queryOptions(), retry: false });
  if (!config.data?.enabled) return null;
  return (
    <p className="muted routing-push-note">
      A member whose portal is closed can be reached by a push notification on a device they used recently.
      Answering from it takes up to {config.data.coldStartSeconds} seconds, so the call rings that much longer
      for them.
    </p>
  );
}
