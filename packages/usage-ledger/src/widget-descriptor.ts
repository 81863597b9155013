import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { TODAY_WIDGET_ID, TODAY_WIDGET_LABEL } from "./control-ui/widget-id.ts";

/**
 * Advertises the "Token cache today" dashboard widget. The host renders a plugin's native
 * widget view only for connections whose scopes its descriptor names: reading the report is
 * all it needs, so operator.read.
 */
export function registerTodayWidget(api: OpenClawPluginApi): void {
  // A host (or a plugin inspector's mock SDK) without session controls gets no widget
  // descriptor; the page and the report method do not depend on it.
  const controls = (api as Partial<OpenClawPluginApi>).session?.controls;
  if (typeof controls?.registerControlUiDescriptor !== "function") return;
  controls.registerControlUiDescriptor({
    id: TODAY_WIDGET_ID,
    surface: "widget",
    label: TODAY_WIDGET_LABEL,
    description: "Today's cache hit % against the ideal, cost and saving, from the usage ledger.",
    requiredScopes: ["operator.read"],
  });
}
