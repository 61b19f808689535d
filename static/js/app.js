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

  // Length limits: the browser would cut a paste at `maxlength` without a word. Instead the field
  // takes everything, a counter shows the length against the limit, and text over it is named
  // before the form can be sent (the server refuses it too, keeping what was typed).
  var messages = document.body.dataset;
  var describe = function (template, length, max) {
    return template.replace("{length}", length).replace("{max}", max).replace("{over}", length - max);
  };
  var limited = [];
  document.querySelectorAll("textarea[maxlength], input[maxlength]").forEach(function (field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || field.type === "hidden") return;
    field.removeAttribute("maxlength");
    field.dataset.maxlength = max;
    var counter = document.createElement("div");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var update = function () {
      var length = field.value.length;
      var over = length > max;
      counter.textContent = over
        ? describe(messages.msgTooLong || "{over} characters too long (limit {max}).", length, max)
        : (field.tagName === "TEXTAREA" || length > max * 0.8)
          ? describe(messages.msgLength || "{length} / {max}", length, max)
          : "";
      counter.classList.toggle("error", over);
      field.setAttribute("aria-invalid", over ? "true" : "false");
    };
    field.addEventListener("input", update);
    update();
    limited.push(field);
  });
  document.addEventListener("submit", function (event) {
    var tooLong = limited.filter(function (field) {
      return event.target.contains(field) && field.value.length > parseInt(field.dataset.maxlength, 10);
    });
    if (tooLong.length) {
      event.preventDefault();
      tooLong[0].focus();
    }
  }, true);

  // Switching the language reloads the page: what was typed into its forms is kept for that one
  // reload (sessionStorage, this tab only) and put back into the fields that still show what the
  // page came with: an empty text field, or a select still on its default option.
  var DRAFT_KEY = "draft:" + location.pathname;
  var switcher = document.querySelector("[data-language-switch]");
  if (switcher) {
    switcher.addEventListener("change", function () {
      var draft = [];
      document.querySelectorAll("main form").forEach(function (form, index) {
        Array.prototype.forEach.call(form.elements, function (el) {
          if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "password") return;
          if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value) {
            draft.push({ form: index, name: el.name, value: el.value, checked: el.checked, type: el.type });
          }
        });
      });
      try { sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft)); } catch (e) { /* storage off: nothing kept */ }
      switcher.form.submit();
    });
  }
  var rendered = function (el) {
    if (el.tagName !== "SELECT") return el.defaultValue;
    var initial = Array.prototype.find.call(el.options, function (o) { return o.defaultSelected; }) || el.options[0];
    return initial ? initial.value : "";
  };
  try {
    var saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
    sessionStorage.removeItem(DRAFT_KEY);
    var forms = document.querySelectorAll("main form");
    (saved || []).forEach(function (item) {
      var form = forms[item.form];
      if (!form) return;
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== item.name) return;
        if (item.type === "checkbox" || item.type === "radio") {
          if (el.value === item.value) el.checked = item.checked;
        } else if (el.value === rendered(el)) {
          el.value = item.value;
          el.dispatchEvent(new Event("input"));
        }
      });
    });
  } catch (e) { /* a broken draft is dropped */ }

  // Alternatives: start low on concessions. Warn while option 1 asks the largest compensation and
  // another asks less (the same rule as cases/hints.py first_offer_is_largest).
  document.querySelectorAll("[data-start-low]").forEach(function (warning) {
    var form = warning.closest("form");
    var update = function () {
      var amounts = Array.prototype.map.call(form.querySelectorAll("fieldset.option"), function (set) {
        var filled = set.querySelector("textarea").value.trim();
        var value = parseFloat(set.querySelector("input[name$='-compensation']").value);
        return filled ? (isNaN(value) ? 0 : value) : null;
      }).filter(function (value) { return value !== null; });
      var rest = amounts.slice(1);
      warning.hidden = !(rest.length && amounts[0] > 0 &&
        amounts[0] >= Math.max.apply(null, rest) && amounts[0] > Math.min.apply(null, rest));
    };
    form.addEventListener("input", update);
    update();
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
          // The record is what intake will use: show it, replacing what was typed.
          var fill = function (id, v) { var el = document.getElementById(id); if (el && v) el.value = v; };
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

  // A letter being prepared in the background: its panel is read again every second until no
  // version is rendering, and only that panel is replaced (what was typed elsewhere stays).
  var letters = document.querySelector("[data-refresh-while='rendering']");
  if (letters && window.fetch && window.DOMParser) {
    var tries = 0;
    var poll = function () {
      tries += 1;
      fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("letters");
          if (fresh) letters.replaceWith(fresh);
          if (fresh && fresh.dataset.refreshWhile === "rendering" && tries < 60) {
            letters = fresh;
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { /* the page still shows a reload-able state */ });
    };
    window.setTimeout(poll, 1000);
  }
})();
