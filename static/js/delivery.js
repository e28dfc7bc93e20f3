// The letter's finalise form: show only the fields of the chosen way of sending.
// Without JavaScript every field shows, with a note saying when it applies.
(function () {
  var form = document.querySelector("[data-testid=finalize-form]");
  if (!form) return;
  function update() {
    var chosen = form.querySelector("input[name=delivery]:checked");
    form.querySelectorAll("[data-delivery]").forEach(function (block) {
      block.hidden = !chosen || block.getAttribute("data-delivery") !== chosen.value;
    });
  }
  form.querySelectorAll("input[name=delivery]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
