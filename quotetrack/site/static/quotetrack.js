/* quotetrack: on a table page whose stylesheet hides internal columns (offsets,
   hashes, paths), a button that shows them. The JSON and CSV keep every column.
   (Loaded in the page's head: it waits for the page.) */
document.addEventListener("DOMContentLoaded", function () {
  var body = document.body, table = document.querySelector("table.rows-and-columns");
  if (!body.classList.contains("table") || !table) { return; }
  var hidden = Array.prototype.filter.call(table.querySelectorAll("thead th"), function (th) {
    return getComputedStyle(th).display === "none";
  }).length;
  if (!hidden) { return; }
  var label = "Show all columns (" + hidden + " more)";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "qt-columns-toggle";
  button.textContent = label;
  button.addEventListener("click", function () {
    button.textContent = body.classList.toggle("qt-all-columns") ? "Hide internal columns" : label;
  });
  (table.closest(".table-wrapper") || table).insertAdjacentElement("beforebegin", button);
});
