/* The draft page's half-width punctuation list (replies/letter/punctuation.py finds the places on
   the server): once the body is edited the list may be out of date, so it says so and points to
   the button that checks and converts again. <p data-punctuation-stale hidden> inside the list's
   section; <textarea name="body"> in the draft form. No dependencies. */
(function () {
  var body = document.querySelector("#reply-form textarea[name=body]");
  var notes = document.querySelectorAll("[data-punctuation-stale]");
  if (!body || !notes.length) return;
  var original = body.value;
  body.addEventListener("input", function () {
    notes.forEach(function (note) { note.hidden = body.value === original; });
  });
})();
