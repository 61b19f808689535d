// Live pages: the bell's inbox and one WebSocket (/ws/notifications/) per page.
// The socket only carries hints (a new notification's id, "case X changed"); the details always come
// over HTTP, so a page that missed messages while disconnected catches up by asking for them.
// Every page works without this script: it only saves a reload.
(function () {
  "use strict";

  var userId = document.body.getAttribute("data-user-id");
  if (!userId) return;

  var CLOSE_UNAUTHENTICATED = 4401; // notifications/consumers.py: logged out, do not retry
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var PING_EVERY_MS = 25000; // keeps proxies from closing an idle socket
  var PONG_WITHIN_MS = 10000; // no answer: the connection is dead though no close event came
  var STABLE_AFTER_MS = 10000;
  var REFRESH_AT_MOST_EVERY_MS = 500;
  var BELL_ITEMS = 20;

  var bell = document.querySelector("[data-bell]");
  var bellButton = bell && bell.querySelector(".bell-button");
  var bellCount = bell && bell.querySelector(".bell-count");
  var bellPanel = bell && bell.querySelector(".bell-panel");
  var bellList = bell && bell.querySelector("[data-bell-list]");
  var text = function (name) { return (bell && bell.getAttribute("data-text-" + name)) || ""; };

  // ---- helpers -------------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function post(url, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  // "2026-03-01 14:05" in the zone the server renders times in (Asia/Shanghai by default).
  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return "";
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: (bell && bell.getAttribute("data-time-zone")) || undefined,
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
      }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
      return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
    } catch (e) {
      return date.toLocaleString();
    }
  }

  // ---- the badge and the last notification seen -------------------------------------------------

  var storageKey = "live.lastNotificationId." + userId;
  var lastId = 0;
  try { lastId = parseInt(window.sessionStorage.getItem(storageKey), 10) || 0; } catch (e) { /* private mode */ }
  var unread = bell ? parseInt(bell.getAttribute("data-count"), 10) || 0 : 0;

  function remember(id) {
    if (!(id > lastId)) return false;
    lastId = id;
    try { window.sessionStorage.setItem(storageKey, String(id)); } catch (e) { /* private mode */ }
    return true;
  }

  function setUnread(n) {
    unread = Math.max(0, n);
    if (!bellCount) return;
    bellCount.textContent = unread > 99 ? "99+" : String(unread);
    bellCount.hidden = unread === 0;
  }

  // ---- the dropdown inbox ---------------------------------------------------------------------

  function isOpen() { return !!bellPanel && !bellPanel.hidden; }

  function message(textContent) {
    bellList.textContent = "";
    bellList.appendChild(el("li", "bell-empty", textContent));
  }

  function renderInbox(items) {
    bellList.textContent = "";
    if (!items.length) return message(text("empty"));
    items.slice(0, BELL_ITEMS).forEach(function (item) {
      var li = el("li", item.read ? "read" : "unread");
      var link = el("a");
      link.href = item.url || "#";
      link.setAttribute("data-id", item.id);
      link.appendChild(el("span", "bell-event", item.event_label || item.event));
      if (item.subject) link.appendChild(el("span", "bell-subject", item.subject));
      if (item.text) link.appendChild(el("span", "bell-text", item.text));
      var time = el("time", "", formatTime(item.created_at));
      time.setAttribute("datetime", item.created_at);
      link.appendChild(time);
      li.appendChild(link);
      bellList.appendChild(li);
    });
  }

  function loadInbox() {
    if (!bellList.childElementCount) message(text("loading"));
    return getJSON(bell.getAttribute("data-list-url"))
      .then(function (data) {
        setUnread(data.unread_count);
        data.results.forEach(function (item) { remember(item.id); });
        renderInbox(data.results);
      })
      .catch(function () { message(text("error")); });
  }

  function openInbox() {
    bellPanel.hidden = false;
    bellButton.setAttribute("aria-expanded", "true");
    loadInbox();
  }

  function closeInbox(returnFocus) {
    if (!isOpen()) return;
    bellPanel.hidden = true;
    bellButton.setAttribute("aria-expanded", "false");
    if (returnFocus) bellButton.focus();
  }

  if (bell && bellButton && bellPanel && bellList) {
    bellButton.addEventListener("click", function () {
      if (isOpen()) closeInbox(false); else openInbox();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        event.preventDefault();
        closeInbox(true);
      }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !bell.contains(event.target)) closeInbox(false);
    });
    bell.querySelector("[data-bell-read-all]").addEventListener("click", function () {
      post(bell.getAttribute("data-read-all-url"))
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          setUnread(0);
          bellList.querySelectorAll("li.unread").forEach(function (li) { li.className = "read"; });
        })
        .catch(function () { /* the items stay unread; nothing is lost */ });
    });
    // Opening an item marks it read first, so the next page's badge already counts it.
    bellList.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-id]");
      if (!link) return;
      var li = link.parentNode;
      var wasUnread = li.classList.contains("unread");
      var url = bell.getAttribute("data-read-url").replace(/\/0\/(?=read\/?$)/, "/" + link.getAttribute("data-id") + "/");
      if (wasUnread) {
        li.className = "read";
        setUnread(unread - 1);
      }
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
        if (wasUnread) post(url, true); // a new tab opens; this page stays
        return;
      }
      event.preventDefault();
      var go = function () { window.location.assign(link.href); };
      if (wasUnread) post(url, true).then(go, go); else go();
    });
  }

  // ---- live pages -----------------------------------------------------------------------------

  var queue = document.querySelector("[data-live-queue]");
  var banner = document.querySelector("[data-live-banner]");
  var refreshTimer = null;
  var refreshing = false;
  var refreshAgain = false;
  var lastRefresh = 0;

  // Re-read this very page and swap in its changing parts (count, table or empty state); the
  // filters the user may be typing into are left alone. At most one refresh per half second.
  function refreshQueue() {
    if (!queue || refreshTimer) return; // the refresh already scheduled will read the latest
    if (refreshing) { refreshAgain = true; return; }
    var wait = Math.max(0, lastRefresh + REFRESH_AT_MOST_EVERY_MS - Date.now());
    refreshTimer = window.setTimeout(function () {
      refreshTimer = null;
      refreshing = true;
      lastRefresh = Date.now();
      fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
        .then(function (r) {
          if (!r.ok || r.redirected) throw new Error("HTTP " + r.status);
          return r.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-live-part][id]").forEach(function (part) {
            var replacement = fresh.getElementById(part.id);
            if (replacement) part.innerHTML = replacement.innerHTML;
          });
        })
        .catch(function () { /* the next change or a reload shows it */ })
        .then(function () {
          refreshing = false;
          if (refreshAgain) { refreshAgain = false; refreshQueue(); }
        });
    }, wait);
  }

  function showChangedBy(name) {
    if (!banner) return;
    var sentence = (banner.getAttribute("data-text-changed") || "").replace("{name}", name || "?");
    banner.textContent = sentence + " ";
    var button = el("button", "", banner.getAttribute("data-text-reload"));
    button.type = "button";
    button.addEventListener("click", function () { window.location.reload(); });
    banner.appendChild(button);
  }

  function onCaseChanged(msg) {
    refreshQueue();
    if (banner && msg.case === banner.getAttribute("data-case-number") && String(msg.by_id) !== userId) {
      showChangedBy(msg.by);
    }
  }

  function onNotification(msg) {
    if (!remember(msg.id)) return; // already counted (the catch-up got it first)
    setUnread(unread + 1);
    if (isOpen()) loadInbox();
  }

  // Whatever arrived while there was no socket: the unread count is the server's, not a sum.
  function catchUp() {
    if (!bell) return;
    var url = bell.getAttribute("data-list-url") + (lastId ? "?since=" + lastId : "");
    getJSON(url)
      .then(function (data) {
        var fresh = false;
        data.results.forEach(function (item) { fresh = remember(item.id) || fresh; });
        setUnread(data.unread_count);
        if (fresh && isOpen()) loadInbox();
      })
      .catch(function () { /* the next reconnect tries again */ });
  }

  // ---- a batch of letters being prepared --------------------------------------------------------

  // The batch task pushes `job.progress` to the person who asked after each letter is committed and
  // once the zip is stored (cases/services/letter_batches.py): the bar, the row and at the end the zip
  // link follow each push. On each (re)connect the page is read once, for what was pushed before the
  // socket was open. While there is no socket (a proxy that refuses WebSockets, the server
  // restarting, the network gone) nothing is pushed and nothing is replayed later, so the page reads
  // itself every BATCH_POLL_MS instead, only then.
  var BATCH_POLL_MS = 10000;
  var batch = document.querySelector("[data-batch-job]");
  var batchReading = false;

  function batchRunning() { return !!batch && batch.getAttribute("data-batch-state") === "running"; }

  function batchText(name, values) {
    return (batch.getAttribute("data-text-" + name) || "").replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  function onJobProgress(msg) {
    if (!batchRunning() || msg.job !== batch.getAttribute("data-batch-job")) return;
    var bar = batch.querySelector("progress");
    bar.max = msg.total;
    bar.value = msg.done;
    batch.querySelector("[data-batch-count]").textContent = batchText("count", { done: msg.done, total: msg.total });
    var failed = batch.querySelector("[data-batch-failed]");
    failed.textContent = msg.failed ? batchText("failed", { n: msg.failed }) : "";
    failed.hidden = !msg.failed;
    var row = msg.letter && batch.querySelector('tr[data-letter="' + Number(msg.letter.id) + '"]');
    if (row) {
      row.setAttribute("data-state", msg.letter.state);
      var cell = row.querySelector("[data-letter-state]");
      cell.textContent = batch.getAttribute("data-label-" + msg.letter.state) || msg.letter.state;
      if (msg.letter.error) {
        cell.appendChild(el("br"));
        cell.appendChild(el("small", "error", msg.letter.error));
      }
    }
    if (msg.state !== "running") {
      batch.setAttribute("data-batch-state", msg.state);
      var zip = batch.querySelector("[data-batch-zip]");
      var link = zip.querySelector("a");
      link.href = batch.getAttribute("data-zip-url");
      link.setAttribute("data-testid", "batch-zip");
      zip.hidden = false;
      var hint = batch.querySelector("[data-batch-running]");
      if (hint) hint.hidden = true;
    }
  }

  // The server's rendering of the batch, swapped in (no reload): counts, rows, and the zip once done.
  function readBatch() {
    if (!batchRunning() || batchReading) return;
    batchReading = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (r) {
        if (!r.ok || r.redirected) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(batch.id);
        if (!fresh || !batchRunning()) return; // a push finished it meanwhile
        batch.innerHTML = fresh.innerHTML;
        batch.setAttribute("data-batch-state", fresh.getAttribute("data-batch-state"));
      })
      .catch(function () { /* the next push, poll or reconnect reads it again */ })
      .then(function () { batchReading = false; });
  }

  if (batch) {
    window.setInterval(function () {
      if (batchRunning() && !(socket && socket.readyState === WebSocket.OPEN)) readBatch();
    }, BATCH_POLL_MS);
  }

  // ---- the socket -----------------------------------------------------------------------------

  var socket = null;
  var attempt = 0;
  var connectedBefore = false;
  var retryTimer = null;
  var stableTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var stopped = false; // the server said we are logged out
  var leaving = false; // the page is being left (or frozen in the back/forward cache)

  function socketUrl() {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + "/ws/notifications/";
  }

  function stopPing() {
    window.clearInterval(pingTimer);
    window.clearTimeout(pongTimer);
    pingTimer = pongTimer = null;
  }

  function startPing() {
    stopPing();
    pingTimer = window.setInterval(function () {
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: "ping", t: Date.now() }));
      window.clearTimeout(pongTimer);
      pongTimer = window.setTimeout(drop, PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... up to 30 s, each drawn from [half, full] so
  // a whole contact centre coming back after a restart does not reconnect in the same instant.
  function scheduleReconnect() {
    if (stopped || leaving || retryTimer) return;
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempt));
    attempt += 1;
    retryTimer = window.setTimeout(function () { retryTimer = null; connect(); }, ceiling / 2 + Math.random() * ceiling / 2);
  }

  function closeQuietly() {
    stopPing();
    window.clearTimeout(stableTimer);
    document.body.setAttribute("data-live", "offline");
    if (!socket) return;
    var old = socket;
    socket = null;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try { old.close(); } catch (e) { /* already closed */ }
  }

  // Forget a socket without waiting for its close event (a dead network may take minutes to send one).
  function drop() {
    closeQuietly();
    scheduleReconnect();
  }

  function connect() {
    if (stopped || leaving || socket) return;
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = function () {
      // Back off afresh only once the socket has stayed up: a server that accepts and drops at once
      // must not be hammered every half second.
      window.clearTimeout(stableTimer);
      stableTimer = window.setTimeout(function () { attempt = 0; }, STABLE_AFTER_MS);
      document.body.setAttribute("data-live", "connected"); // for styling and for the browser tests
      startPing();
      catchUp();
      if (connectedBefore) refreshQueue(); // case changes may have been missed meanwhile
      readBatch(); // progress pushed before this socket was open is not sent again
      connectedBefore = true;
    };
    ws.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (msg.type === "pong") window.clearTimeout(pongTimer);
      else if (msg.type === "notification.new") onNotification(msg);
      else if (msg.type === "case.changed") onCaseChanged(msg);
      else if (msg.type === "job.progress") onJobProgress(msg);
    };
    ws.onclose = function (event) {
      if (socket !== ws) return;
      socket = null;
      stopPing();
      window.clearTimeout(stableTimer);
      document.body.setAttribute("data-live", "offline");
      if (event.code === CLOSE_UNAUTHENTICATED) { stopped = true; return; } // logged out elsewhere
      scheduleReconnect();
    };
  }

  function reconnectNow() {
    if (stopped || socket) return;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    attempt = 0;
    connect();
  }

  window.addEventListener("online", reconnectNow);
  window.addEventListener("pagehide", function () {
    leaving = true;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    closeQuietly();
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    leaving = false;
    connectedBefore = true; // the page shows what it showed when it was left
    reconnectNow();
  });

  connect();
})();
