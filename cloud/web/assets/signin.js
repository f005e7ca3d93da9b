// Sign-in: the token is checked against the hub (GET /api/v1/me) before it is kept, in this tab's
// sessionStorage only (closing the tab forgets it).
"use strict";
(function () {
  const KEY = "regua.hub.token";
  const form = document.getElementById("signin-form");
  const error = document.getElementById("error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await window.regua.ready;
    error.textContent = "";
    const token = document.getElementById("token").value.trim();
    try {
      const res = await fetch("/api/v1/me", { headers: { Authorization: "Bearer " + token }, credentials: "omit" });
      if (res.status === 401) {
        error.textContent = window.regua.t("signin_refused");
        return;
      }
      if (!res.ok) throw new Error((await res.json()).error || res.statusText);
      sessionStorage.setItem(KEY, token);
      location.assign("/");
    } catch (e) {
      error.textContent = window.regua.t("signin_failed", { error: e.message });
    }
  });
})();
