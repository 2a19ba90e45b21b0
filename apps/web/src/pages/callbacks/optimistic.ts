import type { InfiniteData, QueryClient, QueryKey } from "@tanstack/react-query";
import type { RouterOutputs } from "../../trpc";

type Page = RouterOutputs["callbacks"]["list"];
export type CallbackItem = Page["items"][number];

/**
 * Applies a change to one request in every loaded page of every callbacks list (each filter has its
 * own cache entry), and returns what they held, so an error can put it back.
 */
export async function patchRequestEverywhere(
  queryClient: QueryClient,
  listKey: QueryKey,
  id: string,
  patch: (item: CallbackItem) => CallbackItem,
): Promise<Array<[QueryKey, unknown]>> {
  await queryClient.cancelQueries({ queryKey: listKey });
  const before = queryClient.getQueriesData({ queryKey: listKey });
  queryClient.setQueriesData<InfiniteData<Page>>({ queryKey: listKey }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((item) => (item.id === id ? patch(item) : item)),
          })),
        }
      : data,
  );
  return before;
}

/** Puts back what `patchRequestEverywhere` changed. */
export function restore(queryClient: QueryClient, before: Array<[QueryKey, unknown]> | undefined) {
  for (const [key, data] of before ?? []) queryClient.setQueryData(key, data);
}
