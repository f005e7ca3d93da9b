// Tasks: the open and overdue tasks per store (GET /api/v1/tasks), and one store's open tasks as it
// sent them (GET /api/v1/stores/{store}/tasks).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let backlog = null;
  let shown = null;

  const cell = regua.cell;

  function render() {
    if (!backlog) return;
    $("summary").textContent = regua.t("tasks_summary", {
      open: regua.number(backlog.open),
      overdue: regua.number(backlog.overdue),
    });
    const body = $("backlog").tBodies[0];
    body.replaceChildren();
    for (const s of backlog.stores) {
      const tr = document.createElement("tr");
      tr.dataset.store = s.store;
      cell(tr, s.store);
      cell(tr, regua.number(s.open), "num");
      cell(tr, regua.number(s.overdue), "num");
      cell(tr, regua.time(s.oldest_due_at));
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.textContent = regua.t("show_tasks");
      button.addEventListener("click", () => showStore(s.store));
      cell(tr, "").appendChild(button);
      body.appendChild(tr);
    }
    renderStore();
  }

  function renderStore() {
    if (!shown) return;
    $("store-tasks").hidden = false;
    $("store-tasks-title").textContent = regua.t("store_tasks_title", { store: shown.store });
    const body = $("store-tasks").querySelector("tbody");
    body.replaceChildren();
    for (const t of shown.tasks) {
      const tr = document.createElement("tr");
      const title = cell(tr, t.title || "–");
      if (t.overdue) {
        const flag = document.createElement("span");
        flag.className = "flag bad";
        flag.textContent = regua.t("overdue");
        title.append(" ", flag);
      }
      cell(tr, t.rule || "–");
      cell(tr, t.channel || "–");
      cell(tr, regua.time(t.due_at));
      cell(tr, t.assignee || "–");
      body.appendChild(tr);
    }
  }

  async function showStore(store) {
    try {
      shown = await regua.get("/api/v1/stores/" + encodeURIComponent(store) + "/tasks");
      renderStore();
    } catch (e) {
      $("summary").textContent = regua.t("load_failed", { error: e.message });
    }
  }

  async function load() {
    await regua.me;
    try {
      backlog = await regua.get("/api/v1/tasks");
      render();
    } catch (e) {
      $("summary").textContent = regua.t("load_failed", { error: e.message });
    }
  }

  regua.ready.then(load);
  document.addEventListener("regua:lang", render);
})();
