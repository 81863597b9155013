import { describe, expect, it } from "vitest";
import { runTrigger } from "./run-trigger.ts";

describe("runTrigger", () => {
  it("names a subagent session's user or unreported run 'subagent'", () => {
    const key = "agent:main:subagent:32d46dda-0354-46c6-a16a-6ef87ab51fd6";
    expect(runTrigger("user", key)).toBe("subagent");
    expect(runTrigger(null, key)).toBe("subagent");
  });

  it("keeps what the host reported everywhere else", () => {
    expect(runTrigger("heartbeat", "agent:main:subagent:x")).toBe("heartbeat");
    expect(runTrigger("user", "agent:main:main")).toBe("user");
    expect(runTrigger("cron", "agent:main:cron:job:run:1")).toBe("cron");
    // A main session whose name merely contains the word is not a subagent session.
    expect(runTrigger("user", "agent:main:my-subagent:notes")).toBe("user");
    expect(runTrigger(null, null)).toBeNull();
  });
});
