import { AsyncLocalStorage } from "node:async_hooks";

/** The item id of the work running in the current async context, so events can name it. */
export const itemContext = new AsyncLocalStorage<{ itemId: string }>();

/** The id of the item being processed here, if any. */
export function currentItemId(): string | undefined {
  return itemContext.getStore()?.itemId;
}
