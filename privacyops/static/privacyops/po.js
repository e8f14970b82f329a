// PrivacyOps: page behaviour without inline handlers (Content-Security-Policy: script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-po-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("select[data-po-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
