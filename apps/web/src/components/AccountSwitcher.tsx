import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../lib/errors";
import { useTRPC } from "../trpc";
import { useMe } from "./MeContext";

/**
 * The accounts the person belongs to, when more than one: choosing another makes it the session's
 * active account, and everything the portal shows is loaded again for it.
 */
export function AccountSwitcher() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { account } = useMe();
  const accounts = useQuery(trpc.team.accounts.queryOptions());
  const switchAccount = useMutation(
    trpc.team.switchAccount.mutationOptions({
      // Every query was about the other account: drop them all and load afresh.
      onSuccess: () => queryClient.resetQueries(),
    }),
  );
  if (!accounts.data || accounts.data.length < 2) return null;
  return (
    <div className="account-switcher">
      <label className="account-switcher-label" htmlFor="account-switcher">
        Account
      </label>
      <select
        id="account-switcher"
        className="ui-input ui-select"
        value={account.id}
        disabled={switchAccount.isPending}
        aria-describedby={switchAccount.isError ? "account-switcher-error" : undefined}
        onChange={(event) => switchAccount.mutate({ accountId: event.target.value })}
      >
        {accounts.data.map((option) => (
          <option key={option.accountId} value={option.accountId}>
            {option.companyName}
          </option>
        ))}
      </select>
      {switchAccount.isError ? (
        <p id="account-switcher-error" role="alert" className="ui-field-error">
          {describeError(switchAccount.error).message}
        </p>
      ) : null}
    </div>
  );
}
