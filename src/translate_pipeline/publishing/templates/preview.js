/* translate-pipeline serve: the live preview.
 *
 * Added to each page by the preview server as it sends it (the published
 * files do not have it). It listens to the server's events: after a new
 * publish the page reloads, scrolled where the reader was; while a publish
 * fails, its message covers the page until it is fixed.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  const token = script.dataset.token;
  const key = "translate-pipeline-preview:" + location.pathname;
  let panel = null;
  let badge = null;

  const saved = sessionStorage.getItem(key);
  if (saved) {
    sessionStorage.removeItem(key);
    const at = JSON.parse(saved);
    history.scrollRestoration = "manual";
    const restore = () => window.scrollTo(at.x, at.y);
    restore();
    window.addEventListener("load", restore, { once: true });
  }

  function element(tag, style, text) {
    const node = document.createElement(tag);
    node.setAttribute("style", style);
    if (text) node.textContent = text;
    return node;
  }

  function showError(state) {
    if (!panel) {
      panel = element("section", "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:#fff;color:#1a1a1a;padding:2rem;font:16px/1.5 system-ui,sans-serif");
      panel.id = "translate-pipeline-preview-error";
      panel.setAttribute("role", "alert");
      panel.lang = "en";
      panel.append(element("h1", "font-size:1.4rem;margin:0 0 1rem;color:#a40000",
        "The preview could not be published"));
      panel.append(element("pre", "white-space:pre-wrap;background:#fbeaea;padding:1rem;border-radius:4px;" +
        "font:14px/1.5 monospace"));
      panel.append(element("p", "margin-top:1rem",
        "Fix it and save: the page comes back by itself. What is under this message is the last page published."));
      document.body.append(panel);
    }
    panel.querySelector("pre").textContent = state.message;
  }

  function showBadge(shown) {
    if (shown && !badge) {
      badge = element("div", "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;padding:.3rem .7rem;" +
        "background:#333;color:#fff;border-radius:4px;font:13px system-ui,sans-serif", "Publishing…");
      badge.id = "translate-pipeline-preview-busy";
      badge.lang = "en";
      document.body.append(badge);
    } else if (!shown && badge) {
      badge.remove();
      badge = null;
    }
  }

  const events = new EventSource(script.dataset.events);
  events.onmessage = (message) => {
    const state = JSON.parse(message.data);
    showBadge(state.status === "publishing");
    if (state.status === "error") {
      showError(state);
    } else if (state.status === "published" && state.token !== token) {
      sessionStorage.setItem(key, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
      events.close();
      location.reload();
    } else if (state.status === "published" && panel) {
      panel.remove();
      panel = null;
    }
  };
})();
