/**
 * The dashboard widget's id: the browser registers its view under it and the backend
 * advertises the matching descriptor, which the host requires before it renders the view.
 */
export const TODAY_WIDGET_ID = "token-cache-today";
export const TODAY_WIDGET_LABEL = "Token cache today";

/** Today as the ledger's reports count days: from midnight UTC. */
export const todaySince = (now: Date): string => now.toISOString().slice(0, 10);
