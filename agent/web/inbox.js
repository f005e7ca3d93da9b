// The tasks inbox: today's and overdue tasks from /app/api/tasks, closed with an outcome or
// archived through the API with the session's CSRF token. Keyboard: j/k move between tasks,
// w WhatsApp, l call, d done (with the chosen outcome), a archive.
"use strict";
(function () {
  let data = null;

  const $ = (id) => document.getElementById(id);

  function say(text) {
    $("status").textContent = text;
  }

  function render() {
    const list = $("tasks");
    list.replaceChildren();
    const tasks = data ? data.tasks : [];
    $("summary").textContent = data
      ? regua.t("inbox_summary", { today: regua.number(data.today), overdue: regua.number(data.overdue) })
      : "";
    $("empty").hidden = tasks.length > 0;
    const template = $("task-template");
    for (const task of tasks) {
      const item = template.content.firstElementChild.cloneNode(true);
      item.dataset.id = task.id;
      item.querySelector(".name").textContent = task.name || task.customer;
      item.querySelector(".overdue").hidden = !task.overdue;
      if (task.overdue) item.classList.add("is-overdue");
      item.querySelector(".due").textContent = regua.t("due_at", { when: regua.dateTime(task.due_at) });
      item.querySelector(".why").textContent = task.title + " (" + task.rule + ")";
      item.querySelector(".instructions").textContent = task.instructions;
      item.querySelector(".message").textContent = task.text;
      const wa = item.querySelector(".whatsapp");
      if (task.whatsapp) wa.href = task.whatsapp;
      else wa.remove();
      const call = item.querySelector(".call");
      if (task.tel) call.href = task.tel;
      else call.remove();
      for (const el of item.querySelectorAll("[data-t]")) el.textContent = regua.t(el.dataset.t);
      const outcome = item.querySelector(".outcome");
      outcome.setAttribute("aria-label", regua.t("outcome") + ": " + (task.name || task.customer));
      item.querySelector(".done").addEventListener("click", () => close(task, outcome.value));
      item.querySelector(".archive").addEventListener("click", () => close(task, null));
      item.setAttribute("aria-label", task.name || task.customer);
      list.appendChild(item);
    }
  }

  async function close(task, outcome) {
    try {
      const path = "/app/api/tasks/" + task.id + (outcome ? "/done" : "/archive");
      await regua.post(path, outcome ? { outcome } : {});
      data.tasks = data.tasks.filter((t) => t.id !== task.id);
      if (task.overdue) data.overdue -= 1;
      else data.today -= 1;
      render();
      say(regua.t(outcome ? "task_done" : "task_archived", { name: task.name || task.customer }));
      const next = document.querySelector(".task");
      if (next) next.focus();
    } catch (e) {
      say(regua.t("error", { message: e.message }));
    }
  }

  function move(step) {
    const items = [...document.querySelectorAll(".task")];
    if (items.length === 0) return;
    const current = items.indexOf(document.activeElement.closest(".task"));
    const next = items[Math.max(0, Math.min(items.length - 1, current + step))];
    next.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea")) return;
    const item = document.activeElement.closest(".task");
    const click = (selector) => {
      const el = item && item.querySelector(selector);
      if (el) {
        el.click();
        event.preventDefault();
      }
    };
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "w":
        click(".whatsapp");
        break;
      case "l":
        click(".call");
        break;
      case "d":
        click(".done");
        break;
      case "a":
        click(".archive");
        break;
    }
  });

  regua.ready.then(async () => {
    document.addEventListener("regua:lang", render);
    try {
      data = await regua.get("/app/api/tasks");
      render();
    } catch (e) {
      say(regua.t("error", { message: e.message }));
    }
  });
})();
