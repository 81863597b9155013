import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it } from "vitest";
import { TODAY_WIDGET_ID } from "./control-ui/widget-id.ts";
import { registerTodayWidget } from "./widget-descriptor.ts";

describe("registerTodayWidget", () => {
  it("advertises the widget, requiring operator.read, where the host has session controls", () => {
    const seen: Array<{ id: string; requiredScopes?: readonly string[] }> = [];
    const api = {
      session: {
        controls: { registerControlUiDescriptor: (d: (typeof seen)[number]) => seen.push(d) },
      },
    } as unknown as OpenClawPluginApi;
    registerTodayWidget(api);
    expect(seen).toEqual([
      expect.objectContaining({ id: TODAY_WIDGET_ID, requiredScopes: ["operator.read"] }),
    ]);
  });

  it("registers nothing, and does not throw, where the host has none (a plugin inspector's mock)", () => {
    expect(() => registerTodayWidget({} as OpenClawPluginApi)).not.toThrow();
  });
});
