// The automations page in a real browser against a real agent running a rule of the store: the
// rule with its decisions (as the ledger has them) and the `simulate` backtest run from the page
// (its totals are the command's for the same days).
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { startStore, signIn, waitFor } = require("./fixture.cjs");

const RULES = [
  "[[rule]]",
  'id = "volte-30d"',
  'description = "SMS aos 30 dias sem comprar"',
  "[rule.trigger]",
  'kind = "days_without_purchase"',
  "days = 30",
  "[rule.action]",
  'kind = "message"',
  'channel = "sms"',
  'template = "Oi{?, {first_name}}! Sentimos sua falta na {store}."',
  // Planned, not due yet: the customers bought 40 to 42 days ago.
  "[[rule]]",
  'id = "volte-60d"',
  "[rule.trigger]",
  'kind = "days_without_purchase"',
  "days = 60",
  "[rule.action]",
  'kind = "message"',
  'channel = "sms"',
  'template = "Oi{?, {first_name}}! Faz tempo que você não vem na {store}."',
  "",
].join("\n");

let store;
before(async () => {
  store = await startStore({ config: ['file = "regras.toml"'], files: { "regras.toml": RULES } });
  // The agent decides about the three customers (40 to 42 days without buying) as it starts.
  await waitFor("the rule's decisions in the ledger", () =>
    store.sql("SELECT count(DISTINCT customer_id) AS n FROM decisions WHERE rule_id = 'volte-30d'")[0].n === 3);
  await waitFor("the jobs planned at 60 days", () =>
    store.sql("SELECT count(*) AS n FROM jobs WHERE rule_id = 'volte-60d' AND state = 'pending'")[0].n === 3);
});
after(async () => {
  if (store) await store.stop();
});

test("a rule shows with its decisions; the backtest from the page is the command's", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  await page.goto(store.base + "/automations");
  const rule = page.locator('.rule[data-rule="volte-30d"]');
  await rule.waitFor();
  assert.match(await rule.locator(".badge").textContent(), /ativa/);
  const ledger = store.sql("SELECT decision, count(*) AS n FROM decisions WHERE rule_id = 'volte-30d' GROUP BY decision");
  const fired = (ledger.find((r) => r.decision === "fired") || { n: 0 }).n;
  const held = (ledger.find((r) => r.decision === "holdout") || { n: 0 }).n;
  assert.match(await rule.locator(".decisions").textContent(), new RegExp(`^No período: ${fired} disparo\\(s\\), ${held} no grupo de controle`));
  await store.screenshot(page, "automations");

  const from = await page.inputValue("#sim-from");
  const to = await page.inputValue("#sim-to");
  await page.click("#simulate button[type=submit]");
  await page.locator("#status", { hasText: "Simulação concluída." }).waitFor({ timeout: 60000 });
  const lines = store.cli("simulate", "--from", from, "--to", to, "--json").trim().split("\n");
  const totals = JSON.parse(lines[lines.length - 1]).totals["volte-30d"];
  const row = page.locator('#sim-totals tr[data-rule="volte-30d"] td');
  assert.equal(await row.nth(1).textContent(), String(totals.fired));
  assert.equal(await row.nth(2).textContent(), String(totals.messages));
  assert.equal(await row.nth(4).textContent(), String(totals.skipped));
  assert.equal(totals.fired + totals.skipped + totals.holdout + totals.deferred + totals.cancelled > 0, true);
  await store.screenshot(page, "automations-simulated");
  await page.close();
});

test("a rule turned off from the page stops: the agent cancels what it had planned", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  await page.goto(store.base + "/automations");
  const rule = page.locator('.rule[data-rule="volte-60d"]');
  await rule.locator("button.toggle", { hasText: "Desligar" }).click();
  await page.locator("#status", { hasText: "Regra volte-60d desligada" }).waitFor();
  assert.match(await rule.locator(".badge").textContent(), /desligada/);
  // In effect: `run` reloads its rules without it and cancels its pending jobs, with the reason.
  await waitFor("the rule's jobs cancelled by the agent", () =>
    store.sql("SELECT count(*) AS n FROM jobs WHERE rule_id = 'volte-60d' AND state = 'pending'")[0].n === 0, 30);
  const cancelled = store.sql(
    "SELECT count(*) AS n FROM decisions WHERE rule_id = 'volte-60d' AND decision = 'cancelled' AND reason = 'rule_off'");
  assert.equal(cancelled[0].n, 3);
  assert.match(store.log(), /rules: volte-60d is off \(turned off from the web app\)/);
  // The session survived the reload, the other rule still runs, and the page can turn it on again.
  await page.reload();
  await rule.locator("button.toggle", { hasText: "Ligar" }).waitFor();
  assert.match(await page.locator('.rule[data-rule="volte-30d"] .badge').textContent(), /ativa/);
  await store.screenshot(page, "automations-rule-off");
  await rule.locator("button.toggle", { hasText: "Ligar" }).click();
  await page.locator("#status", { hasText: "Regra volte-60d ligada de novo." }).waitFor();
  assert.match(await rule.locator(".badge").textContent(), /ativa/);
  assert.deepEqual(store.sql("SELECT value FROM ledger_info WHERE key = 'web.rules_off'"), [{ value: "[]" }]);
  await waitFor("the agent running the rule again", () => /rules: 2 running/.test(store.log().split("volte-60d is off").pop()), 30);
  await page.close();
});
