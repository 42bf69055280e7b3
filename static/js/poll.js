/* Poll a JSON status URL and update the page: used by the PDF status, the export progress and the import progress.
   <div data-poll="/url/" data-interval="1000"> with [data-field=name] children. No dependencies. */
(function () {
  function fill(root, data) {
    root.querySelectorAll("[data-field]").forEach(function (el) {
      var key = el.getAttribute("data-field");
      if (data[key] === undefined || data[key] === null) return;
      el.textContent = data[key];
    });
    var bar = root.querySelector("progress");
    if (bar && data.percent !== undefined) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    var link = root.querySelector("[data-download]");
    if (link && data.download) { link.href = data.download; link.hidden = false; }
    root.setAttribute("data-state", data.state || "");
  }
  function poll(root) {
    var url = root.getAttribute("data-poll");
    var every = parseInt(root.getAttribute("data-interval") || "1500", 10);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        fill(root, data);
        if (data.state === "done" || data.state === "failed" || data.state === null) {
          if (root.hasAttribute("data-reload-when-done") && data.state === "done" && root.getAttribute("data-initial") !== "done") { window.location.reload(); }
          var initial = root.getAttribute("data-initial");
          if (root.hasAttribute("data-reload-when-finished") && initial !== "done" && initial !== "failed") { window.location.reload(); }
          return;
        }
        setTimeout(function () { poll(root); }, every);
      })
      .catch(function () { setTimeout(function () { poll(root); }, every * 2); });
  }
  document.querySelectorAll("[data-poll]").forEach(poll);
})();
