/** Who the plugin is to the host, and the file it keeps under `<state dir>/orchestrator/`. */
export const PLUGIN_ID = "orchestrator";
/** The state database (the manifest's backupResources names the same file). */
export const STATE_FILE = "orchestrator.sqlite";
