// Rule packs: edit a pack's TOML, validate it (POST /api/v1/rule-packs/validate: the checker's
// messages name the line and the key), sign and publish it to every store, a region, a format or
// one store (POST /api/v1/rule-packs; network admins only: the button is hidden for other roles and
// the hub answers them 403 anyway), the versions published (GET /api/v1/rule-packs) and which
// store runs which (GET /api/v1/rule-packs/adoption, looked at again every few seconds).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const ADOPTION_EVERY_MS = 3000;
  let packs = null;
  let adoption = null;
  let stores = [];
  let me = null;

  const cell = regua.cell;

  function renderPacks() {
    if (!packs) return;
    const body = $("packs").tBodies[0];
    body.replaceChildren();
    for (const p of packs.packs) {
      const tr = document.createElement("tr");
      tr.dataset.version = p.version;
      cell(tr, String(p.version), "num");
      cell(tr, targetText(p.target));
      cell(tr, p.author || "–");
      cell(tr, p.note || "–");
      cell(tr, regua.time(p.created_at));
      const sha = cell(tr, p.sha256.slice(0, 12));
      sha.title = p.sha256;
      const edit = document.createElement("button");
      edit.type = "button";
      edit.className = "button small";
      edit.textContent = regua.t("edit");
      edit.hidden = !me || !regua.may(me, "network_admin analyst");
      edit.addEventListener("click", () => editVersion(p.version));
      cell(tr, "").appendChild(edit);
      body.appendChild(tr);
    }
  }

  function targetText(key) {
    if (key === "*") return regua.t("target_all");
    if (key.startsWith("region:")) return regua.t("target_is_region", { name: key.slice(7) });
    if (key.startsWith("format:")) return regua.t("target_is_format", { name: key.slice(7) });
    return regua.t("target_is_store", { name: key });
  }

  function renderAdoption() {
    if (!adoption) return;
    const body = $("adoption").tBodies[0];
    body.replaceChildren();
    for (const a of adoption.stores) {
      const tr = document.createElement("tr");
      tr.dataset.store = a.store;
      tr.dataset.state = a.state;
      cell(tr, a.store);
      cell(tr, [a.region, a.format].filter(Boolean).join(" / ") || "–");
      cell(tr, a.running ? String(a.running) : "–", "num running");
      cell(tr, a.aimed_version === null ? "–" : String(a.aimed_version), "num");
      cell(tr, regua.t("state_" + a.state), "state-" + a.state);
      cell(tr, a.refused ? regua.t("refused_text", { version: a.refused.version, reason: a.refused.reason }) : "–");
      body.appendChild(tr);
    }
  }

  // The names a target kind may take: the regions, formats or stores the hub knows.
  function renderTargetNames() {
    const kind = $("pack-target-kind").value;
    $("pack-target-name-label").hidden = kind === "all";
    const names = new Set();
    for (const s of stores) {
      const name = kind === "region" ? s.region : kind === "format" ? s.format : s.store;
      if (name) names.add(name);
    }
    const select = $("pack-target-name");
    const previous = select.value;
    select.replaceChildren();
    for (const name of [...names].sort()) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    }
    if (names.has(previous)) select.value = previous;
  }

  function packBody() {
    const kind = $("pack-target-kind").value;
    return {
      rules: $("pack-rules").value,
      target: kind === "all" ? "all" : kind === "store" ? $("pack-target-name").value : kind + ":" + $("pack-target-name").value,
      note: $("pack-note").value,
    };
  }

  function showProblems(e) {
    $("pack-status").textContent = "";
    const list = $("pack-problems");
    list.replaceChildren();
    const lines = e.body && Array.isArray(e.body.problems) ? e.body.problems : [e.message];
    const head = document.createElement("li");
    head.textContent = e.status === 422 ? regua.t("pack_has_mistakes") : regua.t("pack_refused", { error: e.message });
    list.appendChild(head);
    if (e.status !== 422) return;
    for (const line of lines) {
      const li = document.createElement("li");
      li.className = "problem";
      li.textContent = line;
      list.appendChild(li);
    }
  }

  async function validate() {
    $("pack-problems").replaceChildren();
    try {
      const r = await regua.post("/api/v1/rule-packs/validate", packBody());
      $("pack-status").textContent = regua.t("pack_valid", { sha: r.sha256.slice(0, 12) });
    } catch (e) {
      showProblems(e);
    }
  }

  async function publish() {
    $("pack-problems").replaceChildren();
    try {
      const r = await regua.post("/api/v1/rule-packs", packBody());
      $("pack-status").textContent = regua.t("pack_published", {
        version: r.version,
        target: targetText(r.target),
        stores: r.stores.length ? r.stores.join(", ") : regua.t("no_store_yet"),
      });
      await loadLists();
    } catch (e) {
      showProblems(e);
    }
  }

  async function editVersion(version) {
    try {
      const p = await regua.get("/api/v1/rule-packs/" + version);
      $("pack-rules").value = p.rules;
      $("pack-status").textContent = regua.t("pack_loaded", { version });
      $("pack-rules").focus();
    } catch (e) {
      showProblems(e);
    }
  }

  async function loadLists() {
    packs = await regua.get("/api/v1/rule-packs");
    adoption = await regua.get("/api/v1/rule-packs/adoption");
    renderPacks();
    renderAdoption();
  }

  async function load() {
    me = await regua.me;
    try {
      stores = (await regua.get("/api/v1/stores")).stores;
      renderTargetNames();
      await loadLists();
    } catch (e) {
      showProblems(e);
    }
    setInterval(async () => {
      try {
        adoption = await regua.get("/api/v1/rule-packs/adoption");
        renderAdoption();
      } catch {
        // shown on the next load; the page stays as it is
      }
    }, ADOPTION_EVERY_MS);
  }

  $("pack-target-kind").addEventListener("change", renderTargetNames);
  $("validate").addEventListener("click", validate);
  $("publish").addEventListener("click", publish);
  $("pack-form").addEventListener("submit", (event) => event.preventDefault());
  regua.ready.then(load);
  document.addEventListener("regua:lang", () => {
    renderPacks();
    renderAdoption();
  });
})();
