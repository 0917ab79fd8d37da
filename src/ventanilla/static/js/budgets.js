/* The ballot's running total: what the ticked projects cost together, against the district's
   money, said again after each change (and marked when over). Without JavaScript the ballot
   works the same: the server adds the costs and refuses a choice over the money. */
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  var total = document.getElementById("ballot-total");
  if (!form || !total) { return; }
  var amount = parseInt(form.dataset.amount, 10) || 0;
  var money = new Intl.NumberFormat(document.documentElement.lang || "es", {
    style: "currency", currency: "EUR", maximumFractionDigits: 2
  });
  var boxes = form.querySelectorAll("input[type=checkbox][data-cost]");
  var update = function () {
    var sum = 0;
    boxes.forEach(function (box) {
      if (box.checked) { sum += parseInt(box.dataset.cost, 10) || 0; }
    });
    var over = sum > amount;
    total.textContent = total.dataset.label + " " + money.format(sum / 100) + " " +
      total.dataset.of + " " + money.format(amount / 100) + (over ? " — " + total.dataset.over : "");
    total.classList.toggle("error", over);
    total.hidden = false;
  };
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
