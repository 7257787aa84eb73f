// Login page: POST /api/v1/session sets the HttpOnly session cookie; then on to the page asked for.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  applyI18n();
  document.getElementById("lang-switch").addEventListener("click", () => setLang(currentLang() === "zh" ? "en" : "zh"));
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const button = document.getElementById("login-button");
    button.disabled = true;
    try {
      await api("POST", "/api/v1/session", { name: document.getElementById("name").value,
                                              password: document.getElementById("password").value });
      const next = new URLSearchParams(location.search).get("next") || "/";
      // Only a path on this site (not "//other.example").
      location.href = next.startsWith("/") && !next.startsWith("//") ? next : "/";
    } catch (e) {
      error.textContent = e.status === 401 ? t("login.failed") : e.status === 429 ? t("login.busy") : t("login.error", { message: e.message });
      button.disabled = false;
    }
  });
});
