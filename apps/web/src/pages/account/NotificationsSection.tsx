import { Alert, Badge, Button, Card, ErrorState, ListSkeleton, Skeleton, Switch } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { describeError } from "../../lib/errors";
import { formatDateTime, formatRelative } from "../../lib/format";
import {
  applicationServerKey,
  currentSubscription,
  deviceLabel,
  portalRegistration,
  pushUnsupportedReason,
  runsInstalled,
  subscriptionInput,
} from "../../push/device";
import { type RouterOutputs, useTRPC } from "../../trpc";

type Preferences = RouterOutputs["notifications"]["preferences"];
type Device = RouterOutputs["notifications"]["devices"][number];

/**
 * Push notifications on this member's browsers and devices (turn on here, list, remove, test),
 * and which events reach them by push and by email.
 */
export function NotificationsSection() {
  const trpc = useTRPC();
  const config = useQuery(trpc.notifications.config.queryOptions());
  return (
    <Card
      id="notifications"
      title="Notifications"
      description="Calls can ring you on your phone or computer even when the portal is closed. Choose what reaches you, by push and by email."
    >
      {config.isPending ? (
        <Skeleton lines={3} label="Loading notification settings…" />
      ) : config.isError ? (
        <ErrorState
          title="We could not load your notification settings"
          message={describeError(config.error).message}
          onRetry={() => config.refetch()}
          retrying={config.isFetching}
        />
      ) : (
        <div className="stack">
          {config.data.enabled && config.data.publicKey ? (
            <Devices publicKey={config.data.publicKey} coldStartSeconds={config.data.coldStartSeconds} />
          ) : (
            <Alert tone="info" title="Push notifications are off on this server">
              Your administrator has not set up push (VAPID keys). Email notifications below still work.
            </Alert>
          )}
          <PreferencesForm pushEnabled={config.data.enabled} />
        </div>
      )}
    </Card>
  );
}

/** The lowercase hex SHA-256 of an endpoint, as the server identifies devices without sending endpoints back. */
async function hashEndpoint(endpoint: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** This browser's subscription's endpoint and hash, read on mount and after each change here. */
function useThisDevice() {
  const [state, setState] = useState<{ endpoint: string | null; hash: string | null; read: boolean }>({
    endpoint: null,
    hash: null,
    read: false,
  });
  const reread = async () => {
    try {
      const subscription = await currentSubscription();
      const endpoint = subscription?.endpoint ?? null;
      setState({ endpoint, hash: endpoint ? await hashEndpoint(endpoint) : null, read: true });
    } catch {
      setState({ endpoint: null, hash: null, read: true });
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: read once; changes here call reread.
  useEffect(() => {
    void reread();
  }, []);
  return { ...state, reread };
}

function permissionNow(): NotificationPermission | "unsupported" {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

function Devices({ publicKey, coldStartSeconds }: { publicKey: string; coldStartSeconds: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const devices = useQuery(trpc.notifications.devices.queryOptions());
  const thisDevice = useThisDevice();
  const [permission, setPermission] = useState(permissionNow);
  const unsupported = pushUnsupportedReason();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.devices.queryKey() });

  const subscribeMutation = useMutation(trpc.notifications.subscribe.mutationOptions());
  const turnOn = useMutation({
    mutationFn: async () => {
      const asked = await Notification.requestPermission();
      setPermission(asked);
      if (asked !== "granted") throw new Error(deniedMessage(asked));
      const registration = await portalRegistration();
      if (!registration) {
        throw new Error(
          "The portal's service worker is not running in this browser. Reload the page and try again.",
        );
      }
      await navigator.serviceWorker.ready;
      const existing = await registration.pushManager.getSubscription();
      const subscription =
        existing ??
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: applicationServerKey(publicKey),
        }));
      await subscribeMutation.mutateAsync({
        ...subscriptionInput(subscription.toJSON()),
        label: deviceLabel(navigator.userAgent, runsInstalled()),
      });
    },
    onSettled: async () => {
      await thisDevice.reread();
      await refresh();
    },
  });
  const remove = useMutation(
    trpc.notifications.unsubscribe.mutationOptions({
      onSuccess: async (_result, { id }) => {
        // Removing this device also ends its browser subscription, so nothing arrives here any more.
        const removed = devices.data?.find((d) => d.id === id);
        if (removed && removed.endpointHash === thisDevice.hash) {
          const subscription = await currentSubscription();
          await subscription?.unsubscribe().catch(() => false);
          await thisDevice.reread();
        }
      },
      onSettled: refresh,
    }),
  );
  const sendTest = useMutation(trpc.notifications.sendTest.mutationOptions({ onSettled: refresh }));

  const subscribedHere =
    thisDevice.hash !== null && (devices.data ?? []).some((d) => d.endpointHash === thisDevice.hash);

  return (
    <div className="stack">
      <p className="notifications-cold-start">
        A call reaches you by push only on a device you used in the last few minutes. It can take up to{" "}
        {coldStartSeconds} seconds to open the portal from a notification, so calls ring that much longer when
        someone is reached by push.
      </p>
      {unsupported ? (
        <Alert tone="info">{unsupported}</Alert>
      ) : permission === "denied" ? (
        <Alert tone="warning" title="Notifications are blocked in this browser">
          You (or your browser) blocked notifications for this site. Allow them in the site settings (the icon
          at the left of the address bar › Notifications › Allow), then reload this page.
        </Alert>
      ) : !thisDevice.read ? null : subscribedHere ? (
        <Alert tone="success">Notifications are on for this device.</Alert>
      ) : (
        <div className="actions">
          <Button pending={turnOn.isPending} pendingLabel="Turning on…" onClick={() => turnOn.mutate()}>
            Turn on notifications on this device
          </Button>
        </div>
      )}
      <div aria-live="polite">
        {turnOn.isError ? <Alert tone="error">{describeError(turnOn.error).message}</Alert> : null}
        {turnOn.isSuccess ? <Alert tone="success">Notifications are now on for this device.</Alert> : null}
        {remove.isError ? <Alert tone="error">{describeError(remove.error).message}</Alert> : null}
        {remove.isSuccess ? <Alert tone="success">That device was removed.</Alert> : null}
        {sendTest.isError ? <Alert tone="error">{describeError(sendTest.error).message}</Alert> : null}
        {sendTest.isSuccess ? (
          <Alert tone={sendTest.data.sent > 0 ? "success" : "warning"}>{testResult(sendTest.data)}</Alert>
        ) : null}
      </div>
      <h3 className="notifications-heading">Your devices</h3>
      {devices.isPending ? (
        <ListSkeleton items={2} label="Loading your devices…" />
      ) : devices.isError ? (
        <ErrorState
          title="We could not load your devices"
          message={describeError(devices.error).message}
          onRetry={() => devices.refetch()}
          retrying={devices.isFetching}
        />
      ) : devices.data.length === 0 ? (
        <p className="notifications-empty">No device gets notifications yet.</p>
      ) : (
        <>
          <ul className="session-list" aria-label="Devices that get notifications">
            {devices.data.map((device) => (
              <DeviceRow
                key={device.id}
                device={device}
                current={device.endpointHash === thisDevice.hash}
                pending={remove.isPending && remove.variables?.id === device.id}
                disabled={remove.isPending}
                onRemove={() => {
                  sendTest.reset();
                  remove.mutate({ id: device.id });
                }}
              />
            ))}
          </ul>
          <div className="actions">
            <Button
              variant="secondary"
              pending={sendTest.isPending}
              pendingLabel="Sending…"
              onClick={() => {
                remove.reset();
                sendTest.mutate();
              }}
            >
              Send a test notification
            </Button>
          </div>
        </>
      )}
    </div>
  );
}

function deniedMessage(permission: NotificationPermission): string {
  return permission === "denied"
    ? "Notifications are blocked for this site. Allow them in the browser's site settings, then try again."
    : "Notifications were not allowed. Choose Allow when the browser asks.";
}

/** "Sent to 2 devices." (and any the push service said no longer exist, which were removed). */
export function testResult({ sent, removed }: { sent: number; removed: number }): string {
  const devices = (n: number) => `${n} ${n === 1 ? "device" : "devices"}`;
  const gone =
    removed > 0
      ? ` ${devices(removed)} no longer existed and ${removed === 1 ? "was" : "were"} removed.`
      : "";
  return sent > 0
    ? `Test notification sent to ${devices(sent)}.${gone}`
    : `No device got the test notification.${gone}`;
}

function DeviceRow({
  device,
  current,
  pending,
  disabled,
  onRemove,
}: {
  device: Device;
  current: boolean;
  pending: boolean;
  disabled: boolean;
  onRemove: () => void;
}) {
  const lastActive = new Date(device.lastActiveAt);
  const added = new Date(device.createdAt);
  return (
    <li className="session" aria-current={current ? "true" : undefined}>
      <div className="session-main">
        <p className="session-device">
          <span>{device.label}</span> {current ? <Badge tone="info">This device</Badge> : null}
        </p>
        <dl className="session-facts">
          <div>
            <dt>Added</dt>
            <dd>
              <time dateTime={added.toISOString()}>{formatDateTime(added)}</time>
            </dd>
          </div>
          <div>
            <dt>Last active</dt>
            <dd>
              <time dateTime={lastActive.toISOString()} title={formatDateTime(lastActive)}>
                {formatRelative(lastActive)}
              </time>
            </dd>
          </div>
        </dl>
      </div>
      <Button
        variant="secondary"
        size="sm"
        onClick={onRemove}
        disabled={disabled}
        pending={pending}
        pendingLabel="Removing…"
        aria-label={current ? "Remove this device" : `Remove ${device.label}`}
      >
        Remove
      </Button>
    </li>
  );
}

const pushEvents: Array<{ key: keyof Preferences; label: string }> = [
  { key: "pushIncomingCall", label: "Incoming call (with Answer and Decline)" },
  { key: "pushMissedCall", label: "Missed call" },
  { key: "pushCallback", label: "New callback request" },
];
const emailEvents: Array<{ key: keyof Preferences; label: string }> = [
  { key: "emailMissedCall", label: "Missed call" },
  { key: "emailCallback", label: "New callback request" },
  { key: "emailDailySummary", label: "Daily summary" },
];

/** Each switch saves at once; a failed save puts it back and says why. */
function PreferencesForm({ pushEnabled }: { pushEnabled: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const preferences = useQuery(trpc.notifications.preferences.queryOptions());
  const [saved, setSaved] = useState<string | null>(null);
  const update = useMutation(
    trpc.notifications.updatePreferences.mutationOptions({
      onSuccess: (next) => queryClient.setQueryData(trpc.notifications.preferences.queryKey(), next),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.notifications.preferences.queryKey() }),
    }),
  );
  if (preferences.isPending) return <Skeleton lines={4} label="Loading your notification choices…" />;
  if (preferences.isError) {
    return (
      <ErrorState
        title="We could not load your notification choices"
        message={describeError(preferences.error).message}
        onRetry={() => preferences.refetch()}
        retrying={preferences.isFetching}
      />
    );
  }
  const values =
    update.isPending && update.variables ? { ...preferences.data, ...update.variables } : preferences.data;
  const toggle = (key: keyof Preferences, label: string, on: boolean) => {
    setSaved(null);
    update.mutate({ [key]: on }, { onSuccess: () => setSaved(`${label}: ${on ? "on" : "off"}. Saved.`) });
  };
  const group = (title: string, events: typeof pushEvents, channel: string, disabled = false) => (
    <fieldset className="notifications-events">
      <legend>{title}</legend>
      {events.map(({ key, label }) => (
        <Switch
          key={key}
          label={label}
          checked={values[key]}
          disabled={disabled || update.isPending}
          onChange={(event) =>
            toggle(key, `${channel} for ${label.toLowerCase()}`, event.currentTarget.checked)
          }
        />
      ))}
    </fieldset>
  );
  return (
    <div className="stack">
      {group("Push notifications", pushEvents, "Push", !pushEnabled)}
      {group("Emails", emailEvents, "Email")}
      <div aria-live="polite">
        {update.isError ? (
          <Alert tone="error">We could not save that choice. {describeError(update.error).message}</Alert>
        ) : saved ? (
          <Alert tone="success">{saved}</Alert>
        ) : null}
      </div>
    </div>
  );
}
