// The upload page: once files are picked, each gets its own row with a caption and a kind,
// filled in from its name with the same rules the server uses (disputes/rules/filenames.py).
(function () {
  const input = document.getElementById("id_files");
  const rows = document.getElementById("file-rows");
  const template = document.getElementById("file-row");
  const hintsNode = document.getElementById("evidence-name-hints");
  if (!input || !rows || !template || !hintsNode) return;
  const hints = JSON.parse(hintsNode.textContent);
  const camera = new RegExp(hints.camera, "i");
  document.getElementById("div_id_files")?.after(rows); // the rows sit right under the files
  const shared = ["div_id_kind", "div_id_caption"].map((id) => document.getElementById(id)).filter(Boolean);

  function parts(name) {
    const dot = name.lastIndexOf(".");
    return dot > 0 ? [name.slice(0, dot), name.slice(dot).toLowerCase()] : [name, ""];
  }

  function guessKind(name) {
    const [stem, suffix] = parts(name);
    const words = " " + stem.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ") + " ";
    if (suffix === ".eml") return "email";
    for (const [kind, needles] of hints.words) {
      if (needles.some((needle) => words.includes(` ${needle} `) || (needle.length > 4 && words.includes(needle)))) return kind;
    }
    if (hints.images.includes(suffix)) return camera.test(stem) ? "photo" : "screenshot";
    if (suffix === ".zip") return "deliverable";
    return "other";
  }

  function captionFrom(name) {
    const text = parts(name)[0].replace(/\s*\(\d+\)$/, "").replace(/-/g, " ").replace(/[_\s]+/g, " ").trim();
    return (text.charAt(0).toUpperCase() + text.slice(1)).slice(0, 300);
  }

  function showRows() {
    rows.replaceChildren();
    const files = Array.from(input.files);
    files.forEach((file, index) => {
      const row = template.content.firstElementChild.cloneNode(true);
      row.querySelector("[data-file-name]").textContent = file.name;
      const caption = row.querySelector("input");
      const kind = row.querySelector("select");
      caption.id = `file-caption-${index}`;
      kind.id = `file-kind-${index}`;
      row.querySelector("label[data-for=caption]").htmlFor = caption.id;
      row.querySelector("label[data-for=kind]").htmlFor = kind.id;
      caption.value = captionFrom(file.name);
      kind.value = guessKind(file.name);
      rows.appendChild(row);
    });
    rows.hidden = files.length === 0;
    shared.forEach((field) => { field.hidden = files.length > 0; });
  }

  input.addEventListener("change", showRows);
  // Files picked before this script ran (a slow page, or the browser restoring the form) get their rows too.
  if (input.files.length) showRows();
})();
