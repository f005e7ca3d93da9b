// Texts and formats per language: one catalogue per language (/i18n/pt-BR.json, /i18n/en.json),
// pt-BR by default, the choice remembered per browser. Pages mark texts with data-t="key".
"use strict";
window.regua = window.regua || {};
(function (regua) {
  const KEY = "regua.lang";
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
    new Intl.NumberFormat(lang, { style: "currency", currency: "BRL" }).format(cents / 100);
  regua.number = (n) => new Intl.NumberFormat(lang).format(n);
  // A store-local calendar day ("2026-03-01"), shown as the day it names whatever the browser's zone.
  regua.date = (day) =>
    new Intl.DateTimeFormat(lang, { dateStyle: "short", timeZone: "UTC" }).format(new Date(day + "T00:00:00Z"));
  regua.dateTime = (iso) =>
    new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short" }).format(new Date(iso));

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
    const res = await fetch("/i18n/" + lang + ".json");
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
