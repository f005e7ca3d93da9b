// Sign-in: the token is posted once; the agent answers with an HttpOnly session cookie.
"use strict";
regua.ready.then(() => {
  const form = document.getElementById("signin-form");
  const error = document.getElementById("error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const res = await fetch("/signin", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: document.getElementById("token").value }),
    });
    if (res.ok) {
      location.assign("/");
      return;
    }
    error.textContent = regua.t(res.status === 401 ? "signin_wrong" : "signin_refused");
  });
});
