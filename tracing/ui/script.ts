/**
 * The page's script, served at `/ui/app.js`: collapsing and keyboard moves in the waterfall,
 * details on Enter, result rows that open on Enter, and the operation list that follows the
 * chosen service. It writes data to the page only through `textContent` and `new Option()`.
 */
export const SCRIPT = `"use strict";
(() => {
  const items = () => Array.from(document.querySelectorAll(".waterfall .item"));
  const depth = (item) => Number(item.dataset.depth);
  const itemOf = (el) => el.closest(".item");

  // Hides or shows the subtree under \`item\`, keeping collapsed descendants collapsed.
  function setCollapsed(item, collapsed) {
    const row = item.querySelector(".row");
    if (row.getAttribute("aria-expanded") === null) return;
    row.setAttribute("aria-expanded", collapsed ? "false" : "true");
    const toggle = row.querySelector("button.toggle");
    toggle.textContent = collapsed ? "▸" : "▾";
    toggle.setAttribute("aria-label", collapsed ? "Expand" : "Collapse");
    const list = items();
    const base = depth(item);
    let hiddenBelow = Infinity;
    for (let i = list.indexOf(item) + 1; i < list.length && depth(list[i]) > base; i++) {
      const d = depth(list[i]);
      if (d <= hiddenBelow) hiddenBelow = Infinity;
      list[i].hidden = collapsed || d > hiddenBelow;
      const inner = list[i].querySelector(".row");
      if (!collapsed && hiddenBelow === Infinity && inner.getAttribute("aria-expanded") === "false") {
        hiddenBelow = d;
      }
    }
  }

  function toggleDetails(item, open) {
    const details = item.querySelector(".details");
    if (details) details.hidden = open === undefined ? !details.hidden : !open;
  }

  function reveal(spanId) {
    const item = document.getElementById("span-" + spanId);
    if (!item) return;
    let d = depth(item);
    const list = items();
    for (let i = list.indexOf(item) - 1; i >= 0 && d > 0; i--) {
      if (depth(list[i]) < d) {
        d = depth(list[i]);
        if (list[i].querySelector(".row").getAttribute("aria-expanded") === "false") {
          setCollapsed(list[i], false);
        }
      }
    }
    toggleDetails(item, true);
    item.querySelector(".row").focus();
    item.scrollIntoView({ block: "center" });
  }

  function move(item, step) {
    const list = items().filter((el) => !el.hidden);
    const next = list[list.indexOf(item) + step];
    if (next) next.querySelector(".row").focus();
  }

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const action = target.closest("[data-action]");
    if (action) {
      const collapse = action.dataset.action === "collapse-all";
      for (const item of items()) {
        if (item.querySelector(".row").getAttribute("aria-expanded") !== null) {
          setCollapsed(item, collapse);
        }
      }
      return;
    }
    const goto = target.closest("a[data-goto]");
    if (goto) {
      event.preventDefault();
      history.replaceState(null, "", "#span-" + goto.dataset.goto);
      reveal(goto.dataset.goto);
      return;
    }
    const toggle = target.closest("button.toggle");
    if (toggle) {
      const item = itemOf(toggle);
      setCollapsed(item, item.querySelector(".row").getAttribute("aria-expanded") === "true");
      return;
    }
    const row = target.closest(".waterfall .row");
    if (row) {
      toggleDetails(itemOf(row));
      return;
    }
    const result = target.closest("li.result");
    if (result && !target.closest("input, a")) location.href = result.dataset.href;
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    if (target.matches("li.result") && event.key === "Enter") {
      location.href = target.dataset.href;
      return;
    }
    if (!target.matches(".waterfall .row")) return;
    const item = itemOf(target);
    const expanded = target.getAttribute("aria-expanded");
    if (event.key === "Enter" || event.key === " ") toggleDetails(item);
    else if (event.key === "ArrowDown") move(item, 1);
    else if (event.key === "ArrowUp") move(item, -1);
    else if (event.key === "ArrowRight" && expanded === "false") setCollapsed(item, false);
    else if (event.key === "ArrowLeft" && expanded === "true") setCollapsed(item, true);
    else if (event.key === "ArrowLeft") {
      const list = items();
      for (let i = list.indexOf(item) - 1; i >= 0; i--) {
        if (depth(list[i]) < depth(item)) {
          list[i].querySelector(".row").focus();
          break;
        }
      }
    } else return;
    event.preventDefault();
  });

  const service = document.querySelector("select[data-role=service]");
  const operation = document.querySelector("select[data-role=operation]");
  if (service && operation) {
    service.addEventListener("change", async () => {
      operation.replaceChildren(new Option("All operations", ""));
      if (service.value === "") return;
      const response = await fetch("/api/v1/operations?service=" + encodeURIComponent(service.value));
      if (!response.ok) return;
      const body = await response.json();
      const names = [...new Set(body.operations.map((op) => op.name))];
      for (const name of names) operation.append(new Option(name, name));
    });
  }
  const lookback = document.querySelector("select[data-role=lookback]");
  const range = document.querySelector(".custom-range");
  if (lookback && range) {
    lookback.addEventListener("change", () => (range.hidden = lookback.value !== "custom"));
  }

  const fromHash = () => {
    if (location.hash.startsWith("#span-")) reveal(decodeURIComponent(location.hash.slice(6)));
  };
  addEventListener("hashchange", fromHash);
  fromHash();
})();
`;
