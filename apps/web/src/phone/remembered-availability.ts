/**
 * The agent's availability, remembered per user in this browser so it survives reloads, and so
 * whoever logs in next does not inherit it.
 */
const storageKey = (userId: string) => `cac.phone.available.${userId}`;

export function readAvailability(userId: string): boolean {
  try {
    return localStorage.getItem(storageKey(userId)) === "1";
  } catch {
    return false;
  }
}

export function rememberAvailability(userId: string, available: boolean) {
  try {
    if (available) localStorage.setItem(storageKey(userId), "1");
    else localStorage.removeItem(storageKey(userId));
  } catch {
    // Storage disabled: availability is not remembered across reloads.
  }
}
