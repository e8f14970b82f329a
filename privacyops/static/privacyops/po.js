// PrivacyOps: page behaviour without inline handlers (Content-Security-Policy: script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-po-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("select[data-po-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});

// Intake: the same person's other cases, looked up as the name, date of birth and e-mail are typed
// (POST: personal data never goes into a URL). Without JavaScript the panel appears after submitting.
document.addEventListener("DOMContentLoaded", function () {
  var panel = document.getElementById("po-related");
  var form = panel && panel.closest("form");
  if (!form) { return; }
  var names = ["policy", "family_name", "given_name", "birth_date", "email"];
  var timer = null;
  function lookUp() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    names.forEach(function (name) { if (form.elements[name]) { data.append(name, form.elements[name].value); } });
    fetch(panel.dataset.poRelatedUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { panel.innerHTML = html; })
      .catch(function () {});
  }
  names.forEach(function (name) {
    var field = form.elements[name];
    if (field) {
      field.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(lookUp, 250); });
    }
  });
});

// Document rows (intake, returned form): "Add a row" copies the empty row of the formset.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-po-add-row]").forEach(function (button) {
    var prefix = button.dataset.poAddRow;
    var body = document.querySelector('[data-po-rows="' + prefix + '"] tbody');
    var template = document.getElementById("po-document-row-template");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!body || !template || !total) { return; }
    button.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      if (max && n >= parseInt(max.value, 10)) { button.disabled = true; return; }
      body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(n)));
      total.value = String(n + 1);
      var added = body.lastElementChild && body.lastElementChild.querySelector("select, input");
      if (added) { added.focus(); }
    });
  });
});

// The portal: after a refused form, the error summary takes the focus (screen readers read it first).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
