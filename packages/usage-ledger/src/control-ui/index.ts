import { defineControlUiPlugin } from "openclaw/plugin-sdk/control-ui";
import { mountTokenCachePage } from "./page-view.ts";
import { mountTodayWidget } from "./today-widget.ts";
import { TODAY_WIDGET_ID, TODAY_WIDGET_LABEL } from "./widget-id.ts";

/**
 * The usage ledger's browser entry: a "Token cache" page in the Control UI sidebar, and a
 * dashboard widget with today's headline figures (advertised by the backend's descriptor).
 */
export default defineControlUiPlugin({
  id: "usage-ledger",
  activate(host) {
    const page = host.ui.registerPage({
      id: "token-cache",
      label: "Token cache",
      mount: mountTokenCachePage,
    });
    const nav = host.ui.registerNavigation({
      id: "token-cache",
      label: "Token cache",
      page: { id: "token-cache" },
    });
    const widget = host.ui.registerWidget({
      id: TODAY_WIDGET_ID,
      label: TODAY_WIDGET_LABEL,
      mount: mountTodayWidget,
    });
    return () => {
      widget();
      nav();
      page();
    };
  },
});
