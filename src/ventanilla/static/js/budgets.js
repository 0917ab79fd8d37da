/* The ballot's running total: what the ticked projects cost together, against the district's
   money, said again after each change (and marked when over). Without JavaScript the ballot
   works the same: the server adds the costs and refuses a choice over the money. */
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  var total = document.getElementById("ballot-total");
  if (!form || !total) { return; }
  var amount = parseInt(form.dataset.amount, 10) || 0;
  // As the page writes its own amounts: cents only when there are some, thousands grouped with
  // the language's separator (150 000 € in Spanish, 150,000 € in English).
  var language = document.documentElement.lang || "es";
  var formats = [0, 2].map(function (digits) {
    return new Intl.NumberFormat(language, {
      minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: "always"
    });
  });
  var group = total.dataset.group;
  var money = function (cents) {
    var format = formats[cents % 100 ? 1 : 0];
    return format.formatToParts(cents / 100).map(function (part) {
      return part.type === "group" && group ? group : part.value;
    }).join("") + " €";
  };
  var boxes = form.querySelectorAll("input[type=checkbox][data-cost]");
  var update = function () {
    var sum = 0;
    boxes.forEach(function (box) {
      if (box.checked) { sum += parseInt(box.dataset.cost, 10) || 0; }
    });
    var over = sum > amount;
    total.textContent = total.dataset.label + " " + money(sum) + " " +
      total.dataset.of + " " + money(amount) + (over ? " — " + total.dataset.over : "");
    total.classList.toggle("error", over);
    total.hidden = false;
  };
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
