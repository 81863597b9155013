/** Who the plugin is to the host, and the file it keeps under `<state dir>/message-gate/`. */
export const PLUGIN_ID = "message-gate";
/** The ledger's default file name (the manifest's backupResources names the same file). */
export const DB_FILE = "gate.sqlite";
