// A time-zone box marked data-detect-zone that still says UTC takes the browser's own zone,
// when Settle knows it; the person sees it filled in and can change it before saving.
document.querySelectorAll("input[data-detect-zone]").forEach((input) => {
  if (input.value && input.value !== "UTC") return;
  if (input.classList.contains("is-invalid")) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const list = document.getElementById(input.getAttribute("list"));
  if (zone && list && [...list.options].some((option) => option.value === zone)) {
    input.value = zone;
    input.dataset.detected = zone;
  }
});
