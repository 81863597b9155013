import { defineControlUiPlugin } from "openclaw/plugin-sdk/control-ui";
import { mountTokenCachePage } from "./page-view.ts";

/** The usage ledger's browser entry: a "Token cache" page in the Control UI sidebar. */
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
    return () => {
      nav();
      page();
    };
  },
});
