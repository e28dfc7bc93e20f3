// The new-project form: as the client or the kind of work changes, show what past cases with that
// client or on that kind of work taught. Without JavaScript the panel shows after the form is sent.
(function () {
  var form = document.querySelector("[data-lessons-url]");
  if (!form) return;
  var asked = 0;
  function update() {
    var query = new URLSearchParams();
    ["client", "work_kind"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (field && field.value) query.set(name, field.value);
    });
    var mine = ++asked;
    fetch(form.getAttribute("data-lessons-url") + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var panel = document.getElementById("past-lessons-panel");
        if (html === null || mine !== asked || !panel) return;
        panel.outerHTML = html;
      })
      .catch(function () {});
  }
  ["client", "work_kind"].forEach(function (name) {
    var field = form.querySelector("[name=" + name + "]");
    if (field) field.addEventListener("change", update);
  });
})();
