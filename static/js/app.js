// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Irreversible actions ask first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Intake: look the phone number up as soon as the agent leaves the field.
  var phone = document.getElementById("id_customer_phone");
  var box = document.getElementById("customer-lookup");
  if (phone && box) {
    var last = "";
    var lookup = function () {
      var value = phone.value.trim();
      if (value.length < 5 || value === last) return;
      last = value;
      fetch(box.dataset.url + "?phone=" + encodeURIComponent(value), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          box.innerHTML = html;
          var known = box.querySelector(".known-customer");
          if (!known) return;
          var fill = function (id, v) { var el = document.getElementById(id); if (el && !el.value && v) el.value = v; };
          fill("id_customer_name", known.dataset.name);
          fill("id_account_number", known.dataset.account);
          var tier = document.getElementById("id_tier"); if (tier && known.dataset.tier) tier.value = known.dataset.tier;
          var lang = document.getElementById("id_preferred_language"); if (lang && known.dataset.language) lang.value = known.dataset.language;
        })
        .catch(function () { /* lookup is a convenience; the form still works */ });
    };
    phone.addEventListener("change", lookup);
    phone.addEventListener("blur", lookup);
  }
})();
