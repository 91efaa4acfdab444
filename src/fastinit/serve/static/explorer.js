// The fastinit explorer: controls, the /api/run WebSocket and the panels, drawn on canvas.
// The address holds every setting; a change is sent at once and the server cancels the run
// in flight. Only the answer to the latest message is ever drawn.

const SPINNER_DELAY_MS = 300;
const CONFIGS = ["a", "b"];
const LABEL = { a: "A", b: "B" };
const DASH = { A: [], B: [7, 4] };
const THEORY_DASH = [2, 3];

const state = {
  options: null, socket: null, sentId: 0, sentAt: 0, spinnerTimer: null,
  costs: null, answer: null, pendingQueue: [],
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------
// Controls
// ---------------------------------------------------------------------------

function sharedSpecs(options) {
  const limits = options.limits;
  return [
    { name: "data", label: "data", kind: "select", choices: options.datasets },
    { name: "seed", label: "seed", kind: "number", min: 0, max: 2147483647, step: 1 },
    { name: "depth", label: "depth", kind: "range", min: 1, max: limits.depth, step: 1 },
    { name: "width", label: "width", kind: "range", min: 1, max: limits.width, step: 1 },
    { name: "hidden", label: "or hidden", kind: "text", placeholder: "10,5",
      limit: `widths ≤ ${limits.width}, ≤ ${limits.depth} layers; overrides depth × width` },
    { name: "act", label: "activation", kind: "select", choices: options.activations },
    { name: "slope", label: "slope", kind: "number", min: 0, max: 10, step: "any" },
    { name: "lr", label: "learning rate", kind: "number", min: 0, max: 10, step: "any", limit: "(0, 10]" },
    { name: "iterations", label: "iterations", kind: "number", min: 1, max: limits.iterations, step: 1,
      limit: `≤ ${limits.iterations}; iterations × examples × weights × 2 ≤ ${limits.work.toExponential(0)}` },
    { name: "optimizer", label: "optimizer", kind: "select", choices: options.optimizers },
    { name: "batch", label: "mini-batch", kind: "number", min: 1, max: 1000000, step: 1, placeholder: "full",
      limit: "empty: full batch" },
    { name: "lambd", label: "L2", kind: "number", min: 0, max: 1000, step: "any", limit: "[0, 1000]" },
    { name: "keep_prob", label: "dropout keep", kind: "number", min: 0, max: 1, step: "any", limit: "(0, 1]" },
  ];
}

function configSpecs(prefix, options) {
  return [
    { name: prefix, label: "initializer", kind: "select", choices: options.initializers },
    { name: `${prefix}_scale`, option: "scale", label: "scale", kind: "number", min: 0, max: 1000, step: "any", limit: "(0, 1000]" },
    { name: `${prefix}_mode`, option: "mode", label: "mode", kind: "select", choices: options.modes },
    { name: `${prefix}_dist`, option: "distribution", label: "distribution", kind: "select", choices: options.distributions },
    { name: `${prefix}_gain`, option: "gain", label: "gain", kind: "number", min: 0, max: 100, step: "any", limit: "(0, 100]" },
    { name: `${prefix}_bias_std`, option: "bias_std", label: "bias σ", kind: "number", min: 0, max: 10, step: "any", limit: "[0, 10]" },
    { name: `${prefix}_mult`, label: "weights ×", kind: "number", min: 0, max: 100, step: "any", limit: "(0, 100]" },
  ];
}

function limitText(spec) {
  if (spec.limit) return spec.limit;
  if (spec.kind === "range" || (spec.kind === "number" && spec.max !== undefined)) return `${spec.min}–${spec.max}`;
  return "";
}

function makeInput(spec) {
  let input;
  if (spec.kind === "select") {
    input = document.createElement("select");
    for (const choice of spec.choices) input.add(new Option(choice, choice));
  } else {
    input = document.createElement("input");
    input.type = spec.kind;
    for (const key of ["min", "max", "step", "placeholder"]) {
      if (spec[key] !== undefined) input.setAttribute(key, spec[key]);
    }
  }
  input.id = `control-${spec.name}`;
  input.name = spec.name;
  return input;
}

function makeControl(spec) {
  const wrapper = document.createElement("div");
  wrapper.className = `control control-${spec.kind}`;
  wrapper.id = `wrap-${spec.name}`;
  const label = document.createElement("label");
  label.htmlFor = `control-${spec.name}`;
  label.textContent = spec.label;
  const input = makeInput(spec);
  const error = document.createElement("span");
  error.className = "error";
  error.id = `error-${spec.name}`;
  error.setAttribute("role", "alert");
  input.setAttribute("aria-describedby", error.id);
  wrapper.append(label, input);
  if (spec.kind === "range") {
    const shown = document.createElement("output");
    shown.id = `shown-${spec.name}`;
    shown.htmlFor = input.id;
    wrapper.append(shown);
  }
  const limit = limitText(spec);
  if (limit) {
    const small = document.createElement("small");
    small.className = "limit";
    small.textContent = limit;
    wrapper.append(small);
  }
  wrapper.append(error);
  return wrapper;
}

function buildControls(options) {
  for (const spec of sharedSpecs(options)) $("shared").append(makeControl(spec));
  for (const prefix of CONFIGS) {
    for (const spec of configSpecs(prefix, options)) $(`config-${prefix}`).append(makeControl(spec));
  }
}

function input(name) {
  return $(`control-${name}`);
}

function optionDefault(init, option) {
  const value = state.options.initializer_defaults[init][option];
  if (option === "bias_std" && value === undefined) return 0;
  return value;
}

function configDefaults(prefix, init) {
  const values = { [`${prefix}_mult`]: 1 };
  for (const [option, page] of Object.entries(state.options.option_names)) {
    const value = optionDefault(init, option);
    values[`${prefix}_${page}`] = value === null || value === undefined ? "" : value;
  }
  return values;
}

function defaultValues() {
  const values = { ...state.options.defaults, hidden: "" };
  for (const prefix of CONFIGS) Object.assign(values, configDefaults(prefix, values[prefix]));
  if (values.batch === null) values.batch = "";
  return values;
}

function setValues(values) {
  for (const [name, value] of Object.entries(values)) {
    const element = input(name);
    if (element) element.value = value === null || value === undefined ? "" : String(value);
  }
  refreshControls();
}

// Show only the options the chosen initializer takes, and the slope only where it counts.
function refreshControls() {
  for (const prefix of CONFIGS) {
    const taken = state.options.initializer_options[input(prefix).value];
    for (const [option, page] of Object.entries(state.options.option_names)) {
      $(`wrap-${prefix}_${page}`).hidden = !taken.includes(option);
    }
    const modes = input(prefix).value === "variance_scaling" ? state.options.modes : state.options.modes.slice(0, 2);
    for (const choice of input(`${prefix}_mode`).options) choice.disabled = !modes.includes(choice.value);
  }
  $("wrap-slope").hidden = input("act").value !== "leaky_relu";
  const usesHidden = input("hidden").value.trim() !== "";
  input("depth").disabled = usesHidden;
  input("width").disabled = usesHidden;
  for (const name of ["depth", "width"]) $(`shown-${name}`).textContent = input(name).value;
}

function visibleNames() {
  return [...document.querySelectorAll("#controls [name]")]
    .filter((element) => !element.closest(".control").hidden)
    .map((element) => element.name);
}

function currentSettings() {
  const settings = {};
  for (const name of visibleNames()) {
    const value = input(name).value.trim();
    if (value === "") continue;
    if ((name === "depth" || name === "width") && input("hidden").value.trim() !== "") continue;
    settings[name] = value;
  }
  return settings;
}

function onInitializerChange(prefix) {
  setValues(configDefaults(prefix, input(prefix).value));
}

function listenToControls() {
  const form = $("controls");
  form.addEventListener("input", (event) => {
    if (event.target.type === "range" || event.target.type === "text" || event.target.type === "number") {
      refreshControls();
      sendSettings();
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target.tagName !== "SELECT") return;
    if (CONFIGS.includes(event.target.name)) onInitializerChange(event.target.name);
    refreshControls();
    sendSettings();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
}

// ---------------------------------------------------------------------------
// The address
// ---------------------------------------------------------------------------

function valuesFromAddress() {
  const values = defaultValues();
  const given = new URLSearchParams(location.search);
  for (const prefix of CONFIGS) {
    if (given.has(prefix)) Object.assign(values, configDefaults(prefix, given.get(prefix)));
  }
  for (const [name, value] of given) values[name] = value;
  return values;
}

function showAddress(query) {
  const address = query ? `?${query}` : location.pathname;
  history.replaceState(null, "", address);
}

function queryOf(settings) {
  return new URLSearchParams(settings).toString();
}

// ---------------------------------------------------------------------------
// The socket
// ---------------------------------------------------------------------------

function openSocket() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/api/run`);
  socket.addEventListener("open", () => {
    for (const text of state.pendingQueue.splice(0)) socket.send(text);
  });
  socket.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    state.socket = null;
    showGeneralError("The connection to the server closed; change a control to reconnect.");
  });
  state.socket = socket;
}

function sendText(text) {
  if (!state.socket) openSocket();
  if (state.socket.readyState === WebSocket.OPEN) state.socket.send(text);
  else state.pendingQueue.splice(0, state.pendingQueue.length, text);
}

function sendSettings() {
  state.sentId += 1;
  state.sentAt = performance.now();
  document.body.dataset.sent = String(state.sentId);
  state.costs = { A: { iterations: [], costs: [] }, B: { iterations: [], costs: [] } };
  document.body.dataset.state = "busy";
  clearErrors();
  clearTimeout(state.spinnerTimer);
  state.spinnerTimer = setTimeout(() => { $("spinner").hidden = false; }, SPINNER_DELAY_MS);
  const settings = currentSettings();
  showAddress(queryOf(settings));
  sendText(JSON.stringify({ id: state.sentId, settings }));
}

function onMessage(message) {
  if (message.id !== state.sentId) {
    if (message.id === null && message.type === "error") showError(message);
    return;
  }
  if (message.type === "costs") onCosts(message);
  else if (message.type === "result") onResult(message);
  else if (message.type === "error") onError(message);
}

function onCosts(message) {
  for (const label of ["A", "B"]) {
    state.costs[label].iterations.push(...message[label].iterations);
    state.costs[label].costs.push(...message[label].costs);
  }
  drawCosts(state.costs, null);
}

function finish(outcome) {
  clearTimeout(state.spinnerTimer);
  $("spinner").hidden = true;
  document.body.dataset.lastMs = (performance.now() - state.sentAt).toFixed(1);
  document.body.dataset.drawn = String(state.sentId);
  document.body.dataset.state = outcome;
}

function onResult(message) {
  state.answer = message;
  showAddress(message.query);
  drawAnswer();
  finish("idle");
}

function onError(message) {
  showError(message);
  finish("error");
}

function clearErrors() {
  for (const element of document.querySelectorAll(".error")) element.textContent = "";
}

function showGeneralError(text) {
  $("error-general").textContent = text;
}

function showError(message) {
  const element = message.setting && $(`error-${message.setting}`);
  if (element && !element.closest(".control").hidden) element.textContent = message.message;
  else showGeneralError(message.message);
}

// ---------------------------------------------------------------------------
// Drawing helpers
// ---------------------------------------------------------------------------

const MARGIN = { left: 52, right: 18, top: 10, bottom: 34 };

function colourOf(init) {
  return state.options.colours[init] || "#555555";
}

function initOf(label) {
  return input(label.toLowerCase()).value;
}

function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.font = "12px system-ui, sans-serif";
  return { context, width, height };
}

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function extent(values, log) {
  const usable = values.filter((value) => finite(value) && (!log || value > 0));
  if (!usable.length) return log ? [0.1, 1] : [0, 1];
  let low = Math.min(...usable), high = Math.max(...usable);
  if (low === high) { low = log ? low / 2 : low - 0.5; high = log ? high * 2 : high + 0.5; }
  return [low, high];
}

// A linear or log axis mapping data to pixels.
function axis(range, pixels, log) {
  const [low, high] = log ? range.map(Math.log10) : range;
  const map = (value) => {
    const v = log ? Math.log10(value) : value;
    return pixels[0] + ((v - low) / (high - low)) * (pixels[1] - pixels[0]);
  };
  map.invert = (pixel) => {
    const v = low + ((pixel - pixels[0]) / (pixels[1] - pixels[0])) * (high - low);
    return log ? 10 ** v : v;
  };
  map.range = range;
  map.log = log;
  return map;
}

function ticks(map, count = 5) {
  const [low, high] = map.range;
  if (map.log) {
    const out = [];
    for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); power++) {
      const value = 10 ** power;
      if (value >= low * 0.999 && value <= high * 1.001) out.push(value);
    }
    return out.length >= 2 ? out : [low, high];
  }
  const step = niceStep((high - low) / count);
  const out = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) out.push(value);
  return out;
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function tickLabel(value) {
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (Number.isInteger(value) && size < 1e6) return String(value);
  return size >= 1e4 || size < 1e-2 ? value.toExponential(0) : String(+value.toPrecision(3));
}

function frame(plot, xLabel, yLabel) {
  const { context, x, y } = plot;
  context.strokeStyle = "#444444";
  context.lineWidth = 1;
  context.setLineDash([]);
  context.strokeRect(x(x.range[0]), y(y.range[1]), x(x.range[1]) - x(x.range[0]), y(y.range[0]) - y(y.range[1]));
  context.fillStyle = "#222222";
  context.textAlign = "center";
  context.textBaseline = "top";
  for (const value of ticks(x)) context.fillText(tickLabel(value), x(value), y(y.range[0]) + 3);
  context.fillText(xLabel, (x(x.range[0]) + x(x.range[1])) / 2, plot.height - 15);
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (const value of ticks(y)) context.fillText(tickLabel(value), x(x.range[0]) - 3, y(value));
  context.save();
  context.translate(11, (y(y.range[0]) + y(y.range[1])) / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = "center";
  context.fillText(yLabel, 0, 0);
  context.restore();
}

function makePlot(canvas, xRange, yRange, xLog, yLog) {
  const { context, width, height } = prepare(canvas);
  const x = axis(xRange, [MARGIN.left, width - MARGIN.right], xLog);
  const y = axis(yRange, [height - MARGIN.bottom, MARGIN.top], yLog);
  return { context, width, height, x, y };
}

// Keep what draw() paints inside the plot's frame.
function clipped(plot, draw) {
  const { context, x, y } = plot;
  context.save();
  context.beginPath();
  context.rect(x(x.range[0]), y(y.range[1]), x(x.range[1]) - x(x.range[0]), y(y.range[0]) - y(y.range[1]));
  context.clip();
  draw();
  context.restore();
}

function line(plot, xs, ys, colour, dash, width = 2) {
  clipped(plot, () => strokeLine(plot, xs, ys, colour, dash, width));
}

function strokeLine(plot, xs, ys, colour, dash, width) {
  const { context, x, y } = plot;
  context.strokeStyle = colour;
  context.lineWidth = width;
  context.setLineDash(dash);
  context.beginPath();
  let drawing = false;
  xs.forEach((xValue, index) => {
    const yValue = ys[index];
    const usable = finite(yValue) && (!y.log || yValue > 0);
    if (!usable) { drawing = false; return; }
    if (drawing) context.lineTo(x(xValue), y(yValue));
    else context.moveTo(x(xValue), y(yValue));
    drawing = true;
  });
  context.stroke();
  context.setLineDash([]);
}

function band(plot, xs, low, high, colour) {
  clipped(plot, () => fillBand(plot, xs, low, high, colour));
}

function fillBand(plot, xs, low, high, colour) {
  const { context, x, y } = plot;
  const usable = xs.map((_, i) => finite(low[i]) && finite(high[i]) && (!y.log || low[i] > 0));
  context.fillStyle = colour;
  context.globalAlpha = 0.15;
  context.beginPath();
  xs.forEach((xValue, i) => { if (usable[i]) context.lineTo(x(xValue), y(high[i])); });
  for (let i = xs.length - 1; i >= 0; i--) if (usable[i]) context.lineTo(x(xs[i]), y(low[i]));
  context.fill();
  context.globalAlpha = 1;
}

function marker(context, px, py, shape, colour, filled) {
  context.beginPath();
  if (shape === "triangle") {
    context.moveTo(px, py - 4); context.lineTo(px + 4, py + 3); context.lineTo(px - 4, py + 3); context.closePath();
  } else if (shape === "square") {
    context.rect(px - 4, py - 4, 8, 8);
  } else {
    context.arc(px, py, 3.5, 0, 2 * Math.PI);
  }
  context.fillStyle = filled ? colour : "#ffffff";
  context.strokeStyle = colour;
  context.lineWidth = 1.5;
  context.setLineDash([]);
  context.fill();
  context.stroke();
}

function legend(plot, entries) {
  const { context } = plot;
  let top = MARGIN.top + 6;
  const left = plot.width - MARGIN.right - 130;
  context.textAlign = "left";
  context.textBaseline = "middle";
  for (const entry of entries) {
    context.strokeStyle = entry.colour;
    context.lineWidth = 2;
    context.setLineDash(entry.dash);
    context.beginPath();
    context.moveTo(left, top); context.lineTo(left + 24, top);
    context.stroke();
    context.setLineDash([]);
    context.fillStyle = "#222222";
    context.fillText(entry.text, left + 30, top);
    top += 15;
  }
}

function message(canvas, text) {
  const { context, width, height } = prepare(canvas);
  context.fillStyle = "#444444";
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText(text, width / 2, height / 2);
}

function number(value) {
  if (value === "inf") return Infinity;
  if (value === "-inf") return -Infinity;
  return value;
}

// ---------------------------------------------------------------------------
// Panels
// ---------------------------------------------------------------------------

function drawCosts(costs) {
  const canvas = $("cost");
  const log = $("log-cost").checked;
  const all = [...costs.A.costs, ...costs.B.costs].map(number);
  const iterations = [...costs.A.iterations, ...costs.B.iterations];
  const lastIteration = Math.max(1, ...iterations, Number(input("iterations").value) || 1);
  const plot = makePlot(canvas, [0, lastIteration], extent(all, log), false, log);
  frame(plot, "iteration", "cost");
  for (const label of ["A", "B"]) {
    line(plot, costs[label].iterations, costs[label].costs.map(number), colourOf(initOf(label)), DASH[label]);
  }
  legend(plot, ["A", "B"].map((label) => ({ text: `${label}: ${initOf(label)}`, colour: colourOf(initOf(label)), dash: DASH[label] })));
}

function regionColour(p) {
  // Class 0 light red, class 1 light blue, mixed through white.
  const toward = p >= 0.5 ? [86, 180, 233] : [230, 159, 0];
  const weight = Math.abs(p - 0.5) * 2 * 0.4;
  return toward.map((channel) => Math.round(255 + (channel - 255) * weight));
}

function drawBoundary(label) {
  const canvas = $(`boundary-${label.toLowerCase()}`);
  const note = $(`boundary-note-${label.toLowerCase()}`);
  const result = state.answer.result;
  const grid = result[label].boundary, points = result.points;
  if (!grid || !points) {
    message(canvas, "no boundary drawn");
    note.textContent = "The data has more than two features (digits: 64), so no boundary is drawn.";
    return;
  }
  note.textContent = "";
  const plot = makePlot(canvas, [grid.x[0], grid.x.at(-1)], [grid.y[0], grid.y.at(-1)], false, false);
  drawRegions(plot, grid);
  drawPoints(plot, points);
  frame(plot, "x₁", "x₂");
}

function drawRegions(plot, grid) {
  const { context, x, y } = plot;
  const n = grid.x.length, m = grid.y.length;
  const cellW = (x(grid.x[n - 1]) - x(grid.x[0])) / (n - 1), cellH = (y(grid.y[0]) - y(grid.y[m - 1])) / (m - 1);
  for (let row = 0; row < m; row++) {
    for (let column = 0; column < n; column++) {
      const [r, g, b] = regionColour(grid.p[row][column] ?? 0.5);
      context.fillStyle = `rgb(${r},${g},${b})`;
      context.fillRect(x(grid.x[column]) - cellW / 2, y(grid.y[row]) - cellH / 2, cellW + 0.6, cellH + 0.6);
    }
  }
}

function drawPoints(plot, points) {
  const { context, x, y } = plot;
  points.x.forEach((xValue, i) => {
    context.beginPath();
    context.arc(x(xValue), y(points.y[i]), 2.5, 0, 2 * Math.PI);
    context.fillStyle = points.label[i] ? "#0072b2" : "#d55e00";
    context.fill();
  });
}

function drawPhase() {
  const canvas = $("phase");
  const phase = state.answer.result.phase;
  const maxDepth = state.options.limits.depth;
  const plot = makePlot(canvas, [phase.sigma_w2[0], phase.sigma_w2.at(-1)], [1, maxDepth], true, true);
  const { context, x, y } = plot;
  for (const label of ["A", "B"]) {
    if (label === "B" && phase.B.sigma_b2 === phase.A.sigma_b2) continue;
    const colour = label === "A" ? "#333333" : "#888888";
    const critical = phase[label].critical_sigma_w2;
    if (finite(critical)) line(plot, [critical, critical], [1, maxDepth], colour, DASH[label], 1.5);
    for (const multiple of phase.xi_multiples) {
      const depths = phase[label].xi_c.map(number).map((xi) => (finite(xi) ? Math.min(multiple * xi, maxDepth * 10) : NaN));
      line(plot, phase.sigma_w2, depths, colour, label === "A" ? THEORY_DASH : [1, 4], 1);
    }
  }
  $("phase-note").textContent = `Dotted: depth = ${phase.xi_multiples.join(", ")} × ξc; vertical: critical σw². `
    + "A ● filled, B □. Click to move A there.";
  for (const label of ["A", "B"]) {
    const at = phase[label].at;
    const clampedX = Math.min(Math.max(at.sigma_w2, x.range[0]), x.range[1]);
    marker(context, x(clampedX), y(at.depth), label === "A" ? "circle" : "square", colourOf(initOf(label)), label === "A");
    context.fillStyle = "#222222";
    context.fillText(label, x(clampedX) + 6, y(at.depth) - 6);
  }
  frame(plot, "σw²", "depth");
  state.phasePlot = plot;
}

// Click on the phase map: A's σw² becomes the clicked value through A's multiplier, and the
// shared depth the clicked depth.
function onPhaseClick(event) {
  const plot = state.phasePlot;
  if (!plot || !state.answer) return;
  const rect = $("phase").getBoundingClientRect();
  const sigma = plot.x.invert(event.clientX - rect.left);
  const depth = Math.round(plot.y.invert(event.clientY - rect.top));
  const at = state.answer.result.phase.A.at;
  const multiplier = Number(input("a_mult").value) * Math.sqrt(sigma / at.sigma_w2);
  const clampedDepth = Math.min(Math.max(depth, 1), state.options.limits.depth);
  setValues({ a_mult: +Math.min(Math.max(multiplier, 1e-3), 100).toPrecision(4), depth: clampedDepth, hidden: "" });
  sendSettings();
}

function layerAxis(count) {
  return Array.from({ length: count }, (_, i) => i + 1);
}

function drawSignal(canvasId, key, yLabel, theory) {
  const result = state.answer.result;
  const series = ["A", "B"].map((label) => result[label].signal[key]);
  const layers = layerAxis(series[0].mean.length);
  const theories = ["A", "B"].map((label) => (theory ? theory(result[label].signal, result.phase[label].sigma_b2) : null));
  const values = series.flatMap((s) => [...s.low, ...s.high]).concat(...theories.filter(Boolean));
  const plot = makePlot($(canvasId), [1, Math.max(2, layers.length)], extent(values.map(number), true), false, true);
  ["A", "B"].forEach((label, i) => {
    const colour = colourOf(initOf(label));
    band(plot, layers, series[i].low.map(number), series[i].high.map(number), colour);
    line(plot, layers, series[i].mean.map(number), colour, DASH[label]);
    if (theories[i]) line(plot, layers, theories[i], colour, THEORY_DASH, 1.5);
  });
  frame(plot, "layer", yLabel);
}

function theorySecondMoment(signal) {
  return signal.theory_second_moment.map(number);
}

// Equal hidden widths: ‖dW_l‖² ∝ E[δ_l²] E[a_(l-1)²], where E[δ_l²] = χ_l E[δ_(l+1)²] and
// E[a_(l-1)²] ∝ q_l − σ_b². Anchored at the last hidden layer's measurement, down to layer 2.
function theoryGradNorm(signal, sigmaB2) {
  const chi = signal.theory_chi.map(number), q = signal.theory_second_moment.map(number);
  const measured = signal.grad_norm.mean.map(number);
  const count = measured.length, out = new Array(count).fill(NaN);
  const top = count - 2;
  if (top < 1 || !finite(measured[top])) return out;
  out[top] = measured[top];
  for (let i = top - 1; i >= 1; i--) out[i] = out[i + 1] * Math.sqrt(chi[i] * (q[i] - sigmaB2) / (q[i + 1] - sigmaB2));
  return out;
}

function drawFractions() {
  const result = state.answer.result;
  const layers = layerAxis(result.A.signal.dead_fraction.mean.length);
  const plot = makePlot($("fractions"), [1, Math.max(2, layers.length)], [0, 1], false, false);
  for (const label of ["A", "B"]) {
    const colour = colourOf(initOf(label));
    for (const [key, shape] of [["dead_fraction", "circle"], ["saturated_fraction", "triangle"]]) {
      const values = result[label].signal[key].mean.map(number);
      line(plot, layers, values, colour, DASH[label], 1.5);
      values.forEach((value, i) => { if (finite(value)) marker(plot.context, plot.x(layers[i]), plot.y(value), shape, colour, label === "A"); });
    }
  }
  frame(plot, "layer", "fraction");
}

function formatted(value, digits) {
  if (value === null || value === undefined) return "—";
  return typeof value === "number" ? value.toPrecision(digits) : String(value);
}

function showNumbers() {
  const { result, seconds } = state.answer;
  for (const label of ["A", "B"]) {
    const row = $(`row-${label}`), part = result[label];
    row.querySelector(".init").textContent = initOf(label);
    row.querySelector(".init").style.color = colourOf(initOf(label));
    const cells = { "final-cost": part.final_cost, "train-accuracy": part.train_accuracy, "test-accuracy": part.test_accuracy };
    for (const [name, value] of Object.entries(cells)) {
      const cell = row.querySelector(`.${name}`);
      cell.textContent = formatted(value, name === "final-cost" ? 6 : 4) + (part.diverged && name === "final-cost" ? " (diverged)" : "");
      cell.dataset.value = JSON.stringify(value);
    }
  }
  $("seconds").textContent = `A and B trained side by side, the whole answer in ${seconds.toFixed(2)} s.`;
  $("seconds").dataset.value = String(seconds);
}

function drawAnswer() {
  if (!state.answer) return;
  const result = state.answer.result;
  drawCosts({ A: result.A, B: result.B });
  drawBoundary("A");
  drawBoundary("B");
  drawPhase();
  drawSignal("forward", "second_moment", "E[z²]", theorySecondMoment);
  drawSignal("backward", "grad_norm", "‖dW‖", theoryGradNorm);
  drawFractions();
  showNumbers();
}

// ---------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------

function download(blob, filename) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function costsCsv() {
  const source = state.answer ? state.answer.result : state.costs;
  const rows = ["configuration,initializer,iteration,cost"];
  for (const label of ["A", "B"]) {
    source[label].iterations.forEach((iteration, i) => {
      rows.push(`${label},${initOf(label)},${iteration},${source[label].costs[i]}`);
    });
  }
  return rows.join("\n") + "\n";
}

function exportPng(canvasId) {
  $(canvasId).toBlob((blob) => download(blob, `fastinit-${canvasId}.png`), "image/png");
}

async function copyPython() {
  const query = location.search.slice(1);
  const response = await fetch(`/api/python?${query}`);
  const text = await response.text();
  $("python-text").value = response.ok ? text : JSON.parse(text).message;
  $("python-dialog").showModal();
  try {
    await navigator.clipboard.writeText($("python-text").value);
    $("python-status").textContent = "Copied to the clipboard.";
  } catch {
    $("python-status").textContent = "Select the text and copy it (the clipboard was not available).";
  }
}

async function share() {
  try {
    await navigator.clipboard.writeText(location.href);
    showGeneralError("Address copied.");
  } catch {
    showGeneralError(`Address: ${location.href}`);
  }
}

function listenToButtons() {
  $("copy-python").addEventListener("click", copyPython);
  $("share").addEventListener("click", share);
  $("python-close").addEventListener("click", () => $("python-dialog").close());
  $("export-csv").addEventListener("click", () => download(new Blob([costsCsv()], { type: "text/csv" }), "fastinit-costs.csv"));
  for (const button of document.querySelectorAll("button.png")) {
    button.addEventListener("click", () => exportPng(button.dataset.canvas));
  }
  $("log-cost").addEventListener("change", () => drawCosts(state.answer ? state.answer.result : state.costs));
  $("phase").addEventListener("click", onPhaseClick);
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawAnswer, 100); });
}

async function start() {
  state.options = await (await fetch("/api/options")).json();
  buildControls(state.options);
  setValues(valuesFromAddress());
  listenToControls();
  listenToButtons();
  sendSettings();
}

start();
