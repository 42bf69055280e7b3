/* Small behaviours, no inline script anywhere (the Content-Security-Policy forbids it). No dependencies.
   Irreversible actions ask first: <button data-confirm="…"> in a form. */
(function () {
  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
/* <select data-submit-on-change>: the language switcher posts as soon as a language is chosen. */
(function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
