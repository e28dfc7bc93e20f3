// Phrasebook buttons: insert the phrase where the cursor is in the message or letter text.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".phrase-insert");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("data-target"));
    if (!box) return;
    var text = button.getAttribute("data-insert");
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var gap = before && !/\s$/.test(before) ? " " : "";
    box.value = before + gap + text + after;
    var cursor = (before + gap + text).length;
    box.focus();
    box.setSelectionRange(cursor, cursor);
  });
})();
