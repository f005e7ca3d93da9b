// The store's app in a real browser against a real agent: sign in, close tasks (mouse and
// keyboard) and find them closed in the ledger, switch to English and keep it, a phone screen, a
// page from another origin refused, and a segment exported as CSV checked against the ledger.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const { startStore, signIn, waitFor, TOKEN } = require("./fixture.cjs");

let store;
before(async () => {
  store = await startStore();
});
after(async () => {
  if (store) await store.stop();
});

test("sign-in refuses a wrong token, then opens the inbox in Portuguese", async () => {
  const page = await store.browser.newPage();
  await page.goto(store.base + "/");
  await page.waitForURL(store.base + "/signin");
  await page.fill("#token", "not-the-token-0000000000");
  await page.click("button[type=submit]");
  await page.locator("#error", { hasText: "Token incorreto." }).waitFor();
  await store.screenshot(page, "signin-refused");
  await page.fill("#token", TOKEN);
  await page.press("#token", "Enter");
  await page.waitForURL(store.base + "/");
  await page.locator(".task").first().waitFor();
  assert.equal(await page.locator("h2").textContent(), "Tarefas de hoje");
  assert.equal(await page.locator(".task").count(), 3);
  const ana = page.locator(".task", { hasText: "Ana Souza" });
  assert.equal(await ana.locator(".overdue").isVisible(), true, "two days late: overdue");
  assert.match(await ana.locator(".message").textContent(), /Oi Ana! Chegou coleção nova\./);
  assert.match(await ana.locator(".whatsapp").getAttribute("href"), /^https:\/\/wa\.me\/5511987654321\?text=Oi%20Ana/);
  assert.equal(await ana.locator(".call").getAttribute("href"), "tel:+5511987654321");
  const cookies = await store.browser.cookies(store.base);
  const session = cookies.find((c) => c.name === "regua_session");
  assert.ok(session && session.httpOnly && session.sameSite === "Strict", JSON.stringify(cookies));
  await store.screenshot(page, "inbox-pt-BR");
  await page.close();
});

test("a task done with an outcome is closed in the ledger; another archived from the keyboard", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  const ana = page.locator(".task", { hasText: "Ana Souza" });
  await ana.locator("select.outcome").selectOption("sold");
  await ana.locator("button.done").click();
  await page.locator("#status", { hasText: "Ana Souza" }).waitFor();
  assert.equal(await page.locator(".task", { hasText: "Ana Souza" }).count(), 0);
  assert.deepEqual(
    { state: store.task("Ana Souza").state, outcome: store.task("Ana Souza").outcome },
    { state: "done", outcome: "sold" },
  );

  // Keyboard: the focus moves to the next task after a close; j/k move, a archives.
  await page.keyboard.press("j");
  const focused = await page.evaluate(() => document.activeElement.closest(".task")?.getAttribute("aria-label"));
  assert.ok(focused, "a task has the focus");
  await page.keyboard.press("a");
  await waitFor("the archived task in the ledger", () => store.task(focused).state === "archived", 10);
  assert.equal(await page.locator(".task").count(), 1);
  await store.screenshot(page, "inbox-after-closing");
  await page.close();
});

test("English is one click away and remembered by the browser", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  await page.click("#lang");
  await page.locator("h2", { hasText: "Today's tasks" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.locator(".task button.done").first().textContent(), "Done");
  await page.reload();
  await page.locator("h2", { hasText: "Today's tasks" }).waitFor();
  await store.screenshot(page, "inbox-en");
  await page.click("#lang");
  await page.locator("h2", { hasText: "Tarefas de hoje" }).waitFor();
  await page.close();
});

test("every page has the same menu with its own link marked, and signs out from any page", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  for (const path of ["/", "/customers", "/segments", "/kpis", "/automations"]) {
    await page.goto(store.base + path);
    const links = await page.locator("nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.deepEqual(links, ["/", "/customers", "/segments", "/kpis", "/automations"], path);
    const current = await page.locator('nav a[aria-current="page"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.deepEqual(current, [path], path);
    assert.equal(await page.locator("#signout").count(), 1, path);
  }
  await page.click("#signout");
  await page.waitForURL(store.base + "/signin");
  const after = await page.evaluate(async () => (await fetch("/app/api/tasks", { credentials: "same-origin" })).status);
  assert.equal(after, 401, "the session ended on the server, not only in the page");
  await page.close();
});

test("on a phone screen every control is a touch target of at least 44 px", async () => {
  const page = await store.browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(store, page);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll(".task a, .task button, .task select")]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.height < 44 || r.width < 44).length,
  );
  assert.equal(small, 0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, "no sideways scrolling");
  await store.screenshot(page, "inbox-phone");
  await page.close();
});

test("a page from another origin cannot close a task, even with the session cookie", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  const target = store.sql("SELECT id FROM tasks WHERE state = 'open' LIMIT 1")[0].id;
  // Another port is another origin but the same site: SameSite lets the cookie through, so the
  // Origin check and the CSRF token are what stop it.
  const evil = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!doctype html><title>evil</title>");
  });
  await new Promise((r) => evil.listen(0, "127.0.0.1", r));
  try {
    const evilBase = "http://127.0.0.1:" + evil.address().port;
    await page.goto(evilBase + "/");
    const outcome = await page.evaluate(async (url) => {
      try {
        await fetch(url, { method: "POST", credentials: "include", body: "{}" });
        return "read";
      } catch {
        return "blocked";
      }
    }, store.base + "/app/api/tasks/" + target + "/archive");
    assert.equal(outcome, "blocked", "no CORS header: the page cannot even read the answer");
    // The request did reach the agent (CORS only hides the answer): its log has the refusal.
    await waitFor("the agent's refusal in its log", () =>
      store.log().includes(`refused POST /app/api/tasks/${target}/archive from 127.0.0.1 (Host "127.0.0.1:${store.port}", ` +
        `Origin "${evilBase}"): a page from another site may not use this agent`), 10);
    assert.equal(store.sql(`SELECT state FROM tasks WHERE id = ${target}`)[0].state, "open");
    await store.screenshot(page, "foreign-origin");
  } finally {
    evil.closeAllConnections();
    await new Promise((r) => evil.close(r));
    await page.close();
  }
});

test("the matrix counts the ledger's customers; a cell's CSV export is the command's, row for row", async () => {
  const page = await store.browser.newPage();
  await signIn(store, page);
  await page.click("nav >> text=Segmentos");
  await page.waitForURL(store.base + "/segments");
  const cell = page.locator('.matrix button[data-segment="new_slipping"]');
  await cell.waitFor();
  // Three customers bought once, 40 to 42 days ago: all in "new, slipping" (31-90 days).
  const buyers = store.sql("SELECT count(DISTINCT customer_id) AS n FROM sales")[0].n;
  assert.equal(buyers, 3);
  assert.match(await cell.locator(".cell-count").textContent(), /^3 · 100%$/);
  const counts = await page.locator(".matrix .cell-count").allTextContents();
  assert.equal(counts.reduce((sum, t) => sum + Number(t.split(" ")[0]), 0), buyers, "the nine cells add up");

  await cell.click();
  await page.locator("#list:not([hidden])").waitFor();
  assert.equal(await page.locator("#rows tr").count(), 3);
  await store.screenshot(page, "segments");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  assert.match(download.suggestedFilename(), /^segment-new_slipping-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync(await download.path(), "utf8");
  assert.equal(csv, store.cli("customers", "--segment", "new_slipping", "--csv"), "the command's very rows");
  const lines = csv.trim().split("\n");
  assert.equal(lines[0].split(",")[1], "pos_id");
  const exported = lines.slice(1).map((l) => l.split(",")[1]).sort();
  const ledger = store
    .sql("SELECT DISTINCT c.pos_id FROM customers c JOIN sales s ON s.customer_id = c.id ORDER BY 1")
    .map((r) => r.pos_id);
  assert.deepEqual(exported, ledger);
  await page.close();
});
