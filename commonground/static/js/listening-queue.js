// The offline queue for listening conversations: records wait in IndexedDB on the phone until they
// reach the server. Each carries a client id made here, so sending it twice never stores it twice.
// A panel (#sync-status) shows what is waiting; the queue is sent when the connection returns.
(function () {
  "use strict";
  var DB_NAME = "commonground-listening";
  var STORE = "queue";
  var BATCH = 50;
  var syncing = false;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function add(item) { return withStore("readwrite", function (store) { return store.put(item); }); }
  function remove(clientId) { return withStore("readwrite", function (store) { return store.delete(clientId); }); }
  function all() { return withStore("readonly", function (store) { return store.getAll(); }); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function panel() { return document.getElementById("sync-status"); }
  function text(name) { var p = panel(); return p ? p.dataset[name] || "" : ""; }
  function currentUser() { var p = panel(); return p ? p.dataset.user : ""; }

  function mine(items) {
    var user = currentUser();
    return items.filter(function (item) { return !user || item.user === user; });
  }

  function describe(item) {
    var record = item.record;
    var when = new Date(record.happened_at);
    var words = (record.concerns || record.loves || record.ideas || "").slice(0, 60);
    return when.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }) + " – " + words;
  }

  function render(message) {
    var box = panel();
    if (!box) { return Promise.resolve([]); }
    return all().then(function (items) {
      items = mine(items);
      var list = document.getElementById("sync-list");
      document.getElementById("sync-count").textContent = String(items.length);
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.dataset.clientId = item.client_id;
        li.textContent = describe(item);
        if (item.status === "rejected") {
          var tag = document.createElement("strong");
          tag.className = "govuk-tag govuk-tag--red govuk-!-margin-left-2";
          tag.textContent = text("msgAttention");
          li.appendChild(tag);
          var why = document.createElement("span");
          why.className = "govuk-body-s govuk-!-display-block";
          why.textContent = Object.keys(item.errors || {}).map(function (k) { return item.errors[k].join(" "); }).join(" ");
          li.appendChild(why);
          document.dispatchEvent(new CustomEvent("listening:rejected-item", { detail: { item: item, element: li } }));
        }
        list.appendChild(li);
      });
      box.hidden = items.length === 0 && !message;
      if (message !== undefined) { document.getElementById("sync-message").textContent = message; }
      return items;
    });
  }

  function post(url, records) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ conversations: records })
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) { throw new Error("signed-out"); }
      if (!response.ok) { throw new Error("server-" + response.status); }
      return response.json();
    });
  }

  // Sends everything waiting that has not been refused. Resolves with the server's results.
  function sync() {
    var box = panel();
    if (!box || syncing) { return Promise.resolve([]); }
    if (navigator.onLine === false) { return render(text("msgOffline")).then(function () { return []; }); }
    syncing = true;
    var results = [];
    return all().then(function (items) {
      var waiting = mine(items).filter(function (item) { return item.status !== "rejected"; });
      var chain = Promise.resolve();
      for (var start = 0; start < waiting.length; start += BATCH) {
        (function (slice) {
          chain = chain.then(function () {
            return post(box.dataset.syncUrl, slice.map(function (item) { return item.record; })).then(function (body) {
              var byId = {};
              slice.forEach(function (item) { byId[item.client_id] = item; });
              return Promise.all(body.results.map(function (result) {
                results.push(result);
                if (result.status === "rejected") {
                  var item = byId[result.client_id];
                  item.status = "rejected";
                  item.errors = result.errors;
                  return add(item);
                }
                return remove(result.client_id);
              }));
            });
          });
        })(waiting.slice(start, start + BATCH));
      }
      return chain;
    }).then(function () {
      syncing = false;
      return render("").then(function () { return results; });
    }, function (error) {
      syncing = false;
      var message = error.message === "signed-out" ? text("msgSignedOut") : text("msgUnreachable");
      return render(message).then(function () { return results; });
    });
  }

  window.ListeningQueue = { add: add, remove: remove, all: all, sync: sync, render: render, newId: newId, currentUser: currentUser };

  if (panel()) {
    document.getElementById("sync-now").addEventListener("click", function () { sync(); });
    window.addEventListener("online", function () { sync(); });
    window.addEventListener("offline", function () { render(text("msgOffline")); });
    setInterval(function () { if (navigator.onLine !== false) { sync(); } }, 15000);
    render().then(function () { sync(); });
  }
})();
