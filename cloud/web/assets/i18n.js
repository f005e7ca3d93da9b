// Texts and formats per language: one catalogue per language (/assets/i18n/pt-BR.json, en.json),
// pt-BR by default, the choice remembered per browser. Pages mark texts with data-t="key".
"use strict";
window.regua = window.regua || {};
(function (regua) {
  const KEY = "regua.hub.lang";
  const LANGS = ["pt-BR", "en"];
  let lang = LANGS.includes(localStorage.getItem(KEY)) ? localStorage.getItem(KEY) : "pt-BR";
  let catalogue = {};

  regua.lang = () => lang;
  regua.t = (key, vars) => {
    let s = catalogue[key] ?? key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replaceAll("{" + k + "}", String(v));
    return s;
  };
  regua.money = (cents) =>
    cents === null || cents === undefined
      ? "–"
      : new Intl.NumberFormat(lang, { style: "currency", currency: "BRL" }).format(cents / 100);
  regua.number = (n) => (n === null || n === undefined ? "–" : new Intl.NumberFormat(lang).format(n));
  regua.percent = (v) =>
    v === null || v === undefined ? "–" : new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v) + "%";
  // A store-local calendar day ("2026-03-01"), shown as the day it names whatever the browser's zone.
  regua.date = (day) =>
    new Intl.DateTimeFormat(lang, { dateStyle: "short", timeZone: "UTC" }).format(new Date(day + "T00:00:00Z"));
  // UTC Unix seconds, in the browser's zone.
  regua.time = (unix) =>
    unix === null || unix === undefined
      ? "–"
      : new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short" }).format(new Date(unix * 1000));
  // A duration in seconds, in the largest unit that fits.
  regua.duration = (s) => {
    if (s === null || s === undefined) return "–";
    const units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
    for (const [unit, size] of units) {
      if (s >= size || unit === "second")
        return new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 0 })
          .format(Math.floor(s / size));
    }
    return String(s);
  };
  // Today as YYYY-MM-DD in UTC (the API's default day), and `days` before it.
  regua.day = (daysBefore = 0) => new Date(Date.now() - daysBefore * 86400e3).toISOString().slice(0, 10);

  function apply() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = regua.t(el.dataset.t);
    const button = document.getElementById("lang");
    if (button) {
      button.textContent = lang === "pt-BR" ? "English" : "Português";
      button.lang = lang === "pt-BR" ? "en" : "pt-BR";
    }
  }

  async function load() {
    const res = await fetch("/assets/i18n/" + lang + ".json");
    catalogue = await res.json();
    apply();
  }

  regua.ready = load().then(() => {
    const button = document.getElementById("lang");
    if (button) {
      button.addEventListener("click", async () => {
        lang = lang === "pt-BR" ? "en" : "pt-BR";
        localStorage.setItem(KEY, lang);
        await load();
        document.dispatchEvent(new Event("regua:lang"));
      });
    }
  });
})(window.regua);
