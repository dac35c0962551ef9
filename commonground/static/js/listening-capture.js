// The doorstep capture form, on top of the plain HTML form that works without JavaScript.
// With JavaScript: the page is cached by a service worker so it opens with no signal; a saved
// conversation goes into the offline queue (listening-queue.js) and is sent at once if there is a
// connection; the postcode can be checked and the phone's location used; notes that look like
// special category information raise a warning while the organiser types.
(function () {
  "use strict";
  var form = document.getElementById("capture-form");
  if (!form || !window.ListeningQueue) { return; }
  var queue = window.ListeningQueue;
  var messages = document.getElementById("capture-messages").dataset;

  var meta = document.querySelector('meta[name="listening-service-worker"]');
  if (meta && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(meta.content, { scope: "/listening/" }).catch(function () {});
  }

  function field(name) { return form.elements[name]; }
  function value(data, name) { return (data.get(name) || "").toString().trim(); }
  function pad(n) { return ("0" + n).slice(-2); }

  var offlineNote = document.getElementById("offline-note");
  function showConnection() { offlineNote.hidden = navigator.onLine !== false; }
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  showConnection();

  // Contact details only matter once the resident has agreed to more than anonymity.
  var contact = document.getElementById("contact-details");
  function tier() { var checked = form.querySelector('input[name="consent_tier"]:checked'); return checked ? checked.value : "anonymous"; }
  function showContact() {
    // What to read out belongs with the choice it explains; without JavaScript all of it shows.
    form.querySelectorAll("[data-tier-detail]").forEach(function (detail) { detail.hidden = detail.dataset.tierDetail !== tier(); });
    var hasValues = ["full_name", "email", "phone", "address", "resident_postcode"].some(function (n) { return field(n).value.trim(); });
    contact.hidden = tier() === "anonymous" && !hasValues && !contact.querySelector(".govuk-form-group--error");
  }
  form.querySelectorAll('input[name="consent_tier"]').forEach(function (radio) { radio.addEventListener("change", showContact); });
  showContact();

  // The same patterns as the server's automatic check, to warn before the resident has gone.
  var patterns = [];
  var source = document.getElementById("special-patterns");
  if (source) {
    var groups = JSON.parse(source.textContent);
    Object.keys(groups).forEach(function (key) {
      groups[key].forEach(function (pattern) { try { patterns.push(new RegExp(pattern, "i")); } catch (e) { /* skip */ } });
    });
  }
  var warning = document.getElementById("special-warning");
  var answers = ["loves", "concerns", "ideas", "would_do", "talk_to"];
  function checkSpecial() {
    var text = answers.map(function (n) { return field(n).value; }).join("\n");
    warning.hidden = !patterns.some(function (p) { return p.test(text); });
  }
  answers.forEach(function (n) { field(n).addEventListener("input", checkSpecial); });

  // Postcode check and "use where I am", which need a connection or a location fix.
  var result = document.getElementById("place-result");
  var find = document.getElementById("postcode-find");
  find.hidden = false;
  find.addEventListener("click", function () {
    var postcode = field("postcode").value.trim();
    if (!postcode) { result.textContent = messages.msgPostcodeEmpty; return; }
    if (navigator.onLine === false) { result.textContent = messages.msgPostcodeOffline; return; }
    fetch(form.dataset.lookupUrl.replace("POSTCODE", encodeURIComponent(postcode)), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) { result.textContent = answer.body.message; return; }
        var b = answer.body;
        result.textContent = [b.postcode, b.neighbourhood, b.lsoa_name, b.ward, b.authority].filter(Boolean).join(" · ");
      })
      .catch(function () { result.textContent = messages.msgPostcodeOffline; });
  });
  var locate = document.getElementById("use-location");
  if ("geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      result.textContent = messages.msgLocating;
      navigator.geolocation.getCurrentPosition(function (position) {
        field("lon").value = position.coords.longitude.toFixed(6);
        field("lat").value = position.coords.latitude.toFixed(6);
        result.textContent = messages.msgLocated + " " + position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5);
      }, function () { result.textContent = messages.msgNoLocation; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  function record() {
    var data = new FormData(form);
    var on = function (name) { return data.get(name) === "on"; };
    var day = value(data, "happened_on");
    var time = value(data, "happened_time") || "12:00";
    var resident = {
      full_name: value(data, "full_name"),
      email: value(data, "email"),
      phone: value(data, "phone"),
      address: value(data, "address"),
      postcode: value(data, "resident_postcode")
    };
    var hasResident = Object.keys(resident).some(function (k) { return resident[k]; });
    var equality = {};
    ["age_band", "ethnic_group", "disability", "sex", "carer"].forEach(function (n) { equality[n] = value(data, n); });
    var hasEquality = Object.keys(equality).some(function (k) { return equality[k]; });
    return {
      client_id: value(data, "client_id"),
      organiser: value(data, "organiser") || null,
      happened_at: new Date(day + "T" + time).toISOString(),
      mode: value(data, "mode") || "doorstep",
      postcode: value(data, "postcode"),
      street: value(data, "street"),
      lon: value(data, "lon") ? parseFloat(value(data, "lon")) : null,
      lat: value(data, "lat") ? parseFloat(value(data, "lat")) : null,
      keep_exact_location: on("keep_exact_location"),
      loves: value(data, "loves"),
      concerns: value(data, "concerns"),
      ideas: value(data, "ideas"),
      would_do: value(data, "would_do"),
      talk_to: value(data, "talk_to"),
      ladder: value(data, "ladder") || "listened",
      consent_tier: value(data, "consent_tier") || "anonymous",
      contact_consent_given: on("contact_consent_given"),
      special_category_flagged: on("special_category_flagged"),
      special_category_consent: on("special_category_consent"),
      resident: hasResident ? resident : null,
      shared_with: data.getAll("shared_with"),
      follow_ups: value(data, "follow_up") ? [{ description: value(data, "follow_up"), due_on: value(data, "follow_up_due") || null }] : [],
      equality: hasEquality ? equality : null,
      from_paper: on("from_paper"),
      captured_offline: navigator.onLine === false
    };
  }

  // The checks the server makes that the organiser can fix before leaving the doorstep.
  function problems(r) {
    var found = [];
    if (!(r.loves || r.concerns || r.ideas || r.would_do || r.talk_to)) { found.push(["concerns", messages.msgNothing]); }
    if (r.postcode && !/^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i.test(r.postcode)) { found.push(["postcode", messages.msgPostcode]); }
    if (r.resident && r.consent_tier === "anonymous") { found.push(["consent_tier", messages.msgConsent]); }
    if (r.consent_tier !== "anonymous" && !r.resident) { found.push(["full_name", messages.msgDetails]); }
    if (r.consent_tier !== "anonymous" && r.resident && !r.contact_consent_given) { found.push(["contact_consent_given", messages.msgConsent]); }
    if (r.consent_tier === "shareable" && !r.shared_with.length) { found.push(["shared_with", messages.msgPartners]); }
    if (isNaN(new Date(r.happened_at).getTime())) { found.push(["happened_on", messages.msgDate]); }
    return found;
  }

  var errorBox = document.getElementById("client-errors");
  function showErrors(list) {
    errorBox.innerHTML = "";
    if (!list.length) { return; }
    var summary = document.createElement("div");
    summary.className = "govuk-error-summary";
    summary.tabIndex = -1;
    var alert = document.createElement("div");
    alert.setAttribute("role", "alert");
    var title = document.createElement("h2");
    title.className = "govuk-error-summary__title";
    title.textContent = messages.msgProblem;
    var ul = document.createElement("ul");
    ul.className = "govuk-list govuk-error-summary__list";
    list.forEach(function (pair) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      var target = form.elements[pair[0]];
      var element = target && (target.length && !target.tagName ? target[0] : target);
      a.href = "#" + (element && element.id ? element.id : "capture-form");
      a.textContent = pair[1];
      li.appendChild(a);
      ul.appendChild(li);
    });
    alert.appendChild(title);
    var body = document.createElement("div");
    body.className = "govuk-error-summary__body";
    body.appendChild(ul);
    alert.appendChild(body);
    summary.appendChild(alert);
    errorBox.appendChild(summary);
    summary.focus();
  }

  var status = document.getElementById("capture-status");
  function announce(text) { status.textContent = text; }

  function now() {
    var d = new Date();
    field("happened_on").value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    field("happened_time").value = pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function reset() {
    form.reset();
    field("client_id").value = queue.newId();
    field("lon").value = "";
    field("lat").value = "";
    now();
    result.textContent = "";
    warning.hidden = true;
    showContact();
  }

  // Puts a refused record back in the form so the organiser can put it right.
  function restore(r) {
    reset();
    var set = function (name, v) { if (form.elements[name] && v !== null && v !== undefined) { form.elements[name].value = v; } };
    ["client_id", "postcode", "street", "loves", "concerns", "ideas", "would_do", "talk_to"].forEach(function (n) { set(n, r[n]); });
    set("lon", r.lon); set("lat", r.lat);
    var when = new Date(r.happened_at);
    set("happened_on", when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate()));
    set("happened_time", pad(when.getHours()) + ":" + pad(when.getMinutes()));
    if (r.organiser && form.elements.organiser) { form.elements.organiser.value = r.organiser; }
    ["mode", "ladder", "consent_tier"].forEach(function (n) {
      var radio = form.querySelector('input[name="' + n + '"][value="' + r[n] + '"]');
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change")); }
    });
    ["keep_exact_location", "contact_consent_given", "special_category_flagged", "special_category_consent", "from_paper"].forEach(function (n) {
      if (form.elements[n]) { form.elements[n].checked = !!r[n]; }
    });
    if (r.resident) {
      set("full_name", r.resident.full_name); set("email", r.resident.email); set("phone", r.resident.phone);
      set("address", r.resident.address); set("resident_postcode", r.resident.postcode);
    }
    form.querySelectorAll('input[name="shared_with"]').forEach(function (box) { box.checked = r.shared_with.indexOf(box.value) !== -1; });
    if (r.follow_ups.length) { set("follow_up", r.follow_ups[0].description); set("follow_up_due", r.follow_ups[0].due_on); }
    showContact();
    checkSpecial();
  }

  function serverErrors(errors) {
    var aliases = { happened_at: "happened_on", resident: "full_name", lon: "postcode", __all__: "concerns" };
    return Object.keys(errors || {}).map(function (key) { return [aliases[key] || key, errors[key].join(" ")]; });
  }

  document.addEventListener("listening:rejected-item", function (event) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-top-2";
    button.textContent = messages.msgPutBack;
    button.addEventListener("click", function () {
      var item = event.detail.item;
      restore(item.record);
      queue.remove(item.client_id).then(function () { return queue.render(""); });
      showErrors(serverErrors(item.errors));
    });
    event.detail.element.appendChild(button);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var r = record();
    var found = problems(r);
    showErrors(found);
    if (found.length) { return; }
    var item = { client_id: r.client_id, user: queue.currentUser(), record: r, saved_at: new Date().toISOString(), status: "waiting" };
    queue.add(item).then(function () {
      reset();
      window.scrollTo(0, 0);
      announce(r.captured_offline ? messages.msgSavedOffline : messages.msgSaved);
      return queue.sync();
    }).then(function (results) {
      var mine = results.filter(function (x) { return x.client_id === item.client_id; })[0];
      if (!mine) {
        // Not sent (no connection after all): from now on it is an offline record.
        item.record.captured_offline = true;
        return queue.add(item).then(function () { announce(messages.msgSavedOffline); return queue.render(); });
      }
      if (mine.status === "rejected") {
        restore(r);
        showErrors(serverErrors(mine.errors));
        announce("");
        return queue.remove(item.client_id).then(function () { return queue.render(""); });
      }
      announce(messages.msgSent);
    }).catch(function () { announce(messages.msgSavedOffline); });
  });

  if (form.dataset.bound !== "true") { now(); }
})();
