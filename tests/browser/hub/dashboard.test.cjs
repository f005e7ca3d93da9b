// The HQ dashboard in a real browser against a real network (started by hub_dashboard_launcher.cpp:
// Mosquitto with TLS, `regua-hub run`, one `regua-agent run` store, "centro"). A network admin signs
// in with a token, sees the store and a chart, publishes a rule pack to the store from the page,
// and the store's agent applies it (its ledger says so) while the page's adoption table shows the
// store on the new version. A pack with a mistake shows the checker's message on the page; an
// analyst gets no publish button, and the hub answers 403 if it publishes anyway.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const base = process.env.REGUA_HUB_URL;
const ledger = process.env.REGUA_STORE_LEDGER;
const artifacts = process.env.REGUA_BROWSER_ARTIFACTS || os.tmpdir();

const BAD_PACK = '[[rule]]\nid = "x"\ntrigger = { kind = "birthday", days_before = 90 }\n';
const GOOD_PACK = [
  "[[rule]]",
  'id = "volte-30d"',
  'trigger = { kind = "days_without_purchase", days = 30 }',
  'action = { kind = "task", title = "Ligar para {first_name}" }',
  "",
].join("\n");

function appliedVersion() {
  const out = execFileSync(
    "sqlite3",
    ["-json", "-cmd", ".timeout 10000", ledger, "SELECT coalesce(max(version), 0) AS v FROM rule_packs WHERE status = 'applied'"],
    { encoding: "utf8" },
  );
  return JSON.parse(out)[0].v;
}

async function waitFor(what, check, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let browser;
let profile;
before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "regua-hub-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    // The hub's certificate is from the test's throwaway CA, which this profile does not know.
    ignoreHTTPSErrors: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  browser.setDefaultTimeout(20000);
});
after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true });

async function signIn(page, token) {
  await page.goto(base + "/");
  await page.waitForURL(base + "/signin");
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  await page.waitForURL(base + "/");
}

test("an admin publishes a pack from the page and the store applies it", async () => {
  const page = await browser.newPage();
  const errors = [];
  // The refusals this test provokes (a wrong token, a pack with a mistake) are expected; nothing else.
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of (401|422)\b/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));

  // A wrong token is refused on the sign-in page.
  await page.goto(base + "/signin");
  await page.fill("#token", "rgh_" + "0".repeat(64));
  await page.press("#token", "Enter");
  await page.locator("#error", { hasText: "Este token não vale" }).waitFor();

  await signIn(page, process.env.REGUA_ADMIN_TOKEN);
  const row = page.locator('#stores tr[data-store="centro"]');
  await row.waitFor();
  assert.match(await row.locator(".store-name").textContent(), /Loja Centro/);
  assert.match(await page.locator("#who").textContent(), /HQ Operações · administração da rede/);
  await page.locator('#stores tr[data-store="norte"] [data-flag="silent"]').waitFor();
  // The network chart: yesterday's roll-up reaches the hub with the store's first batches.
  await waitFor("a point on the network chart", async () => {
    if ((await page.locator("#network-chart svg circle").count()) > 0) return true;
    await page.reload();
    await page.locator('#stores tr[data-store="centro"]').waitFor();
    await page.locator("#network-chart svg").waitFor();
    return (await page.locator("#network-chart svg circle").count()) > 0;
  });
  await shot(page, "hub-stores");

  // The other pages draw from the API: KPIs with charts and the ranking, tasks, the matrix.
  await page.click("nav >> text=Indicadores");
  await page.waitForURL(base + "/kpis");
  await page.locator("#chart-retention svg").waitFor();
  await page.locator('#figures tr[data-group="network"]').waitFor();
  await page.locator('#rankings tr[data-store="centro"]').waitFor();
  await shot(page, "hub-kpis");
  await page.click("nav >> text=Matriz");
  await page.locator("#matrices section").first().waitFor();
  await page.click("nav >> text=Tarefas");
  await page.locator('#backlog tr[data-store="centro"]').waitFor();

  // A pack with a mistake: the checker's message, naming the line and the key, shows; nothing is published.
  await page.click("nav >> text=Pacotes de regras");
  await page.waitForURL(base + "/rules");
  await page.locator('#adoption tr[data-store="centro"]').waitFor();
  await page.fill("#pack-rules", BAD_PACK);
  for (const button of ["#validate", "#publish"]) {
    await page.click(button);
    const problem = page.locator("#pack-problems li.problem").first();
    await problem.waitFor();
    assert.match(await problem.textContent(), /pack\.toml:3.*trigger\.days_before/);
  }
  await shot(page, "hub-pack-mistake");
  assert.equal(await page.locator("#packs tbody tr").count(), 0);

  // The good pack, to store centro: signed, published, applied by the agent.
  await page.fill("#pack-rules", GOOD_PACK);
  await page.click("#validate");
  await page.locator("#pack-status", { hasText: "O pacote está correto" }).waitFor();
  await page.selectOption("#pack-target-kind", "store");
  await page.selectOption("#pack-target-name", "centro");
  await page.fill("#pack-note", "teste do navegador");
  await page.click("#publish");
  await page.locator("#pack-status", { hasText: "Versão 1 assinada e publicada para loja centro" }).waitFor();
  const published = page.locator('#packs tr[data-version="1"]');
  await published.waitFor();
  assert.match(await published.textContent(), /HQ Operações.*teste do navegador/);

  await waitFor("the agent's ledger to show rule pack 1 applied", async () => appliedVersion() === 1);
  // Adoption comes from the store's heartbeat; the page looks again every few seconds.
  await page.locator('#adoption tr[data-store="centro"][data-state="adopted"]').waitFor({ timeout: 60000 });
  assert.equal(await page.locator('#adoption tr[data-store="centro"] .running').textContent(), "1");
  await shot(page, "hub-pack-adopted");

  // English is one click away.
  await page.click("#lang");
  await page.locator("#rules-title", { hasText: "Rule packs" }).waitFor();
  await page.locator('#adoption tr[data-store="centro"] td', { hasText: "adopted" }).waitFor();
  await page.click("#lang");
  assert.deepEqual(errors, [], "no script errors on the pages");

  // Sign-out forgets the token: the pages send to sign-in again.
  await page.click("#signout");
  await page.waitForURL(base + "/signin");
  await page.goto(base + "/rules");
  await page.waitForURL(base + "/signin");
  await page.close();
});

test("an analyst sees no publish button and the hub refuses it a publish", async () => {
  const page = await browser.newPage();
  await signIn(page, process.env.REGUA_ANALYST_TOKEN);
  await page.goto(base + "/rules");
  await page.locator('#packs tr[data-version="1"]').waitFor();
  await page.locator("#validate").waitFor();
  assert.equal(await page.locator("#publish").isHidden(), true);
  assert.equal(await page.locator("#validate").isVisible(), true);
  const status = await page.evaluate(async (rules) => {
    const res = await fetch("/api/v1/rule-packs", {
      method: "POST",
      headers: { Authorization: "Bearer " + sessionStorage.getItem("regua.hub.token"), "Content-Type": "application/json" },
      body: JSON.stringify({ rules, target: "all" }),
    });
    return res.status;
  }, GOOD_PACK);
  assert.equal(status, 403);
  await shot(page, "hub-analyst");
  await page.close();
  assert.equal(appliedVersion(), 1, "nothing new reached the store");
});

test("a store manager sees its own store only and cannot edit packs", async () => {
  const page = await browser.newPage();
  await signIn(page, process.env.REGUA_MANAGER_TOKEN);
  await page.locator('#stores tr[data-store="centro"]').waitFor();
  assert.equal(await page.locator("#stores tbody tr").count(), 1, "norte is not its store");
  await page.goto(base + "/rules");
  await page.locator('#adoption tr[data-store="centro"]').waitFor();
  assert.equal(await page.locator("#adoption tbody tr").count(), 1);
  assert.equal(await page.locator("#editor").isHidden(), true);
  await page.goto(base + "/kpis");
  await page.locator('#figures tr[data-group="centro"]').waitFor();
  assert.equal(await page.locator("#group").isHidden(), true, "its figures are its store's");
  await shot(page, "hub-store-manager");
  await page.close();
});
