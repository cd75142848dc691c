// tcpmsg live page. Messages are always put in the page as text (textContent), never as markup.
"use strict";
(function () {
  const MAX_ROWS = 2000;
  const PLOT_SECONDS = 300;
  const $ = (id) => document.getElementById(id);
  const list = $("messages");
  const filterBox = $("filter");
  const pauseButton = $("pause");
  const status = $("status");
  let lastId = 0;
  let paused = false;
  let held = [];
  let stream = null;
  let filter = "";
  let rate = [];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const number = new Intl.NumberFormat();
  function bytes(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }
  function clock(iso) {
    const d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }

  function matches(row) {
    return filter === "" || row.dataset.search.indexOf(filter) >= 0;
  }

  function row(m, fresh) {
    const li = el("li", fresh ? "msg fresh" : "msg");
    li.dataset.id = String(m.id);
    const time = el("span", "time", clock(m.received_at));
    time.title = m.received_at;
    const who = el("span", "who", m.sender || m.peer);
    who.title = m.sender ? m.sender + " · " + m.peer : m.peer;
    if (m.framing !== "line") who.appendChild(el("span", "tag", m.framing));
    const text = el("span", m.valid_utf8 ? "text" : "text invalid", m.text);
    li.append(time, who, text);
    li.dataset.search = (m.text + "\n" + m.peer + "\n" + (m.sender || "")).toLowerCase();
    li.hidden = !matches(li);
    return li;
  }

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  }

  function append(messages, fresh) {
    if (messages.length === 0) return;
    const stick = nearBottom();
    const batch = document.createDocumentFragment();
    for (const m of messages) {
      if (m.id <= lastId) continue; // already shown: a resumed stream never repeats one
      lastId = m.id;
      batch.appendChild(row(m, fresh));
    }
    list.appendChild(batch);
    while (list.childElementCount > MAX_ROWS) list.firstElementChild.remove();
    if (stick) list.scrollTop = list.scrollHeight;
    counts();
  }

  function counts() {
    const total = list.childElementCount;
    let shown = 0;
    for (const li of list.children) if (!li.hidden) shown++;
    $("empty").hidden = total > 0;
    $("count").textContent = total === 0 ? "\u00a0"
      : filter === "" ? number.format(total) + (total === 1 ? " message" : " messages")
      : number.format(shown) + " of " + number.format(total) + " messages match";
  }

  function setStatus(kind, text) {
    status.className = "status " + kind;
    status.textContent = text;
  }

  function connect() {
    if (stream) stream.close();
    // The browser resumes with Last-Event-ID by itself after a drop; after_id is only where the first connection starts.
    stream = new EventSource("/api/stream?after_id=" + lastId);
    stream.addEventListener("open", () => setStatus(paused ? "paused" : "live", paused ? "paused" : "live"));
    stream.addEventListener("error", () => setStatus("connecting", "reconnecting…"));
    stream.addEventListener("message", (event) => {
      const m = JSON.parse(event.data);
      if (paused) {
        held.push(m);
        pauseButton.textContent = "Resume (" + number.format(held.length) + " new)";
      } else {
        append([m], true);
      }
    });
  }

  async function loadHistory() {
    try {
      const response = await fetch("/api/messages?limit=200", { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      // Oldest first, as `tcpmsg history` prints them.
      append(body.messages.slice().reverse(), false);
      list.scrollTop = list.scrollHeight;
    } catch (e) {
      $("empty").hidden = false;
      $("empty").textContent = "History is not available: " + e.message;
    }
    counts();
    connect();
  }

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.setAttribute("aria-pressed", String(paused));
    if (paused) {
      pauseButton.textContent = "Resume";
      setStatus("paused", "paused");
    } else {
      pauseButton.textContent = "Pause";
      const waiting = held;
      held = [];
      append(waiting, true);
      setStatus("live", "live");
    }
  });

  filterBox.addEventListener("input", () => {
    filter = filterBox.value.trim().toLowerCase();
    for (const li of list.children) li.hidden = !matches(li);
    counts();
  });

  function drawPlot() {
    const canvas = $("plot");
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (width === 0) return;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const style = getComputedStyle(document.documentElement);
    const accent = style.getPropertyValue("--accent").trim() || "#1f6feb";
    const muted = style.getPropertyValue("--muted").trim() || "#6a737d";
    const line = style.getPropertyValue("--line").trim() || "#e3e6ea";
    const left = 40, bottom = 18, top = 8, right = 6;
    const w = width - left - right, h = height - top - bottom;
    const peak = Math.max(1, ...rate);
    const scale = niceCeiling(peak);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = muted;
    g.strokeStyle = line;
    g.lineWidth = 1;
    g.textBaseline = "middle";
    g.textAlign = "right";
    for (let i = 0; i <= 2; i++) {
      const y = top + h - (h * i) / 2;
      g.beginPath(); g.moveTo(left, Math.round(y) + 0.5); g.lineTo(left + w, Math.round(y) + 0.5); g.stroke();
      g.fillText(compact((scale * i) / 2), left - 6, y);
    }
    g.textAlign = "center";
    g.textBaseline = "alphabetic";
    for (let m = 5; m >= 0; m--) {
      const x = left + w - (w * m * 60) / PLOT_SECONDS;
      g.fillText(m === 0 ? "now" : "-" + m + "m", Math.min(Math.max(x, left + 10), left + w - 12), height - 3);
    }
    if (rate.length < 2) return;
    const step = w / (rate.length - 1);
    g.beginPath();
    rate.forEach((v, i) => {
      const x = left + i * step, y = top + h - (h * v) / scale;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.strokeStyle = accent;
    g.lineWidth = 1.75;
    g.lineJoin = "round";
    g.stroke();
    g.lineTo(left + w, top + h);
    g.lineTo(left, top + h);
    g.closePath();
    g.globalAlpha = 0.15;
    g.fillStyle = accent;
    g.fill();
    g.globalAlpha = 1;
  }

  function niceCeiling(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const f of [1, 2, 5, 10]) if (v <= f * p) return f * p;
    return 10 * p;
  }
  function compact(v) {
    return v >= 1e6 ? (v / 1e6).toFixed(v % 1e6 ? 1 : 0) + "M" : v >= 1e3 ? (v / 1e3).toFixed(v % 1e3 ? 1 : 0) + "k" : String(Math.round(v * 10) / 10);
  }

  function showConnections(connections, open) {
    const ul = $("connections");
    const items = document.createDocumentFragment();
    for (const c of connections) {
      const li = el("li");
      const peer = el("span", "peer", c.peer + (c.tls ? " · " + c.tls : ""));
      peer.title = "since " + c.connected_at;
      li.append(peer, el("span", "meta", number.format(c.messages) + " msg · " + bytes(c.bytes)));
      items.appendChild(li);
    }
    if (connections.length === 0) items.appendChild(el("li", "none", "none"));
    ul.replaceChildren(items);
    $("conn-count").textContent = open > connections.length ? connections.length + " of " + number.format(open) : "";
  }

  function showChat(chat) {
    $("chat-panel").hidden = !chat;
    if (!chat) return;
    const items = document.createDocumentFragment();
    for (const name of chat.members) items.appendChild(el("li", "", name));
    if (chat.members.length === 0) items.appendChild(el("li", "", "nobody yet"));
    $("members").replaceChildren(items);
    $("members-count").textContent = chat.members.length + (chat.members.length === 1 ? " member" : " members");
  }

  async function poll() {
    try {
      const response = await fetch("/api/stats?seconds=" + PLOT_SECONDS);
      if (response.ok) {
        const s = await response.json();
        rate = s.rate;
        const last = rate.length ? rate[rate.length - 1] : 0;
        const minute = rate.slice(-60);
        $("rate-now").textContent = compact(last);
        $("rate-avg").textContent = "avg " + compact(minute.reduce((a, b) => a + b, 0) / Math.max(1, minute.length)) + " over 1 min";
        $("received").textContent = number.format(s.messages_received);
        $("bytes").textContent = bytes(s.bytes_received);
        $("open").textContent = number.format(s.connections_open);
        $("accepted").textContent = number.format(s.connections_accepted) + " accepted";
        const store = $("store");
        store.textContent = s.store === "writable" ? "ok" : s.store === "none" ? "off" : "failing";
        store.className = "value small " + (s.store === "failing" ? "bad" : s.store === "writable" ? "ok" : "");
        $("store-hint").textContent = s.store === "none" ? "--no-store" : s.store === "failing" ? "commits retried" : "commits succeed";
        showConnections(s.connections, s.connections_open);
        showChat(s.chat);
        drawPlot();
      }
    } catch (e) {
      setStatus("down", "server unreachable");
    }
    setTimeout(poll, 1000);
  }

  window.addEventListener("resize", drawPlot);
  loadHistory();
  poll();
})();
