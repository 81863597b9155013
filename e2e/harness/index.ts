export * from "./agent.ts";
export * from "./config.ts";
export * from "./emulator-models.ts";
export * from "./gateway.ts";
export * from "./openclaw-cli.ts";
export * from "./plugins.ts";
export * from "./processes.ts";
export * from "./state-dir.ts";
