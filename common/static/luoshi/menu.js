// The main menu's groups: one open at a time, closed by a click elsewhere or Escape.
document.addEventListener("click", (event) => {
  for (const group of document.querySelectorAll(".menu-group[open]")) {
    if (!group.contains(event.target)) group.removeAttribute("open");
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    for (const group of document.querySelectorAll(".menu-group[open]")) group.removeAttribute("open");
  }
});
