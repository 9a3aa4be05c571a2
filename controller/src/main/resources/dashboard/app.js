// gpupool dashboard: plain DOM, no framework. Polls the controller's read-only JSON API
// (/api/v1/...) every POLL_MS and redraws. Data is always inserted as text, never as HTML.
(function () {
  'use strict';

  var POLL_MS = 1500;
  var TOKEN_KEY = 'gpupool.token';
  var timer = null;
  var taskView = null; // {id, after, logs} while the task page is shown

  // A ?token= in the URL is taken once, kept in localStorage, and removed from the URL (and history).
  (function adoptTokenFromUrl() {
    var params = new URLSearchParams(window.location.search);
    if (!params.has('token')) {
      return;
    }
    localStorage.setItem(TOKEN_KEY, params.get('token'));
    params.delete('token');
    var rest = params.toString();
    history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : '') + window.location.hash);
  })();

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') { node.textContent = attrs[k]; }
        else if (k === 'class') { node.className = attrs[k]; }
        else { node.setAttribute(k, attrs[k]); }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  function ApiError(status, message) { this.status = status; this.message = message; }

  function api(path) {
    var token = localStorage.getItem(TOKEN_KEY);
    var headers = token ? { 'Authorization': 'Bearer ' + token } : {};
    return fetch('/api/v1/' + path, { headers: headers, cache: 'no-store' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) { throw new ApiError(r.status, body.error || ('HTTP ' + r.status)); }
        return body;
      });
    });
  }

  // ---- formatting ----
  function num(v) { return v === undefined || v === null ? undefined : Number(v); }
  function stateName(s) { return (s || 'UNSPECIFIED').replace(/^(TASK|NODE)_STATE_/, ''); }
  function gib(bytes) { return (num(bytes) / (1024 * 1024 * 1024)).toFixed(1); }
  function time(ts) {
    if (!ts) { return ''; }
    var d = new Date(ts);
    return isNaN(d) ? ts : d.toLocaleString();
  }
  function since(ts) {
    if (!ts) { return ''; }
    var s = Math.max(0, Math.round((Date.now() - new Date(ts).getTime()) / 1000));
    if (s < 90) { return s + 's ago'; }
    if (s < 5400) { return Math.round(s / 60) + 'm ago'; }
    return Math.round(s / 3600) + 'h ago';
  }
  function percentOf(progress) {
    if (!progress) { return undefined; }
    if (progress.percent !== undefined) { return num(progress.percent); }
    if (progress.step !== undefined && num(progress.totalSteps) > 0) {
      return 100 * num(progress.step) / num(progress.totalSteps);
    }
    return undefined;
  }
  function progressBar(progress) {
    var pct = percentOf(progress);
    var bar = el('div', { 'class': 'bar' });
    bar.style.width = (pct === undefined ? 0 : Math.min(100, pct)) + '%';
    return el('div', { 'class': 'progress' }, bar);
  }
  function progressText(progress) {
    if (!progress) { return ''; }
    var parts = [];
    var pct = percentOf(progress);
    if (pct !== undefined) { parts.push(pct.toFixed(1) + '%'); }
    if (progress.step !== undefined) {
      parts.push('step ' + progress.step + (progress.totalSteps !== undefined ? '/' + progress.totalSteps : ''));
    }
    Object.keys(progress.metrics || {}).forEach(function (k) { parts.push(k + '=' + progress.metrics[k]); });
    if (progress.message) { parts.push(progress.message); }
    return parts.join('  ');
  }
  function taskLink(task) { return el('a', { href: '#/task/' + encodeURIComponent(task.id), text: task.id }); }
  function heat(util) {
    // idle: pale blue; busy: saturated red. Unknown: grey.
    if (util === undefined) { return 'hsl(220,10%,90%)'; }
    var u = Math.max(0, Math.min(100, util)) / 100;
    return 'hsl(' + Math.round(210 - 210 * u) + ',' + Math.round(60 + 15 * u) + '%,' + Math.round(88 - 33 * u) + '%)';
  }

  // ---- overview ----
  function renderSummary(s) {
    $('sum-gpus-total').textContent = num(s.gpusTotal) || 0;
    $('sum-gpus-used').textContent = num(s.gpusUsed) || 0;
    $('sum-util').textContent = s.meanUtilizationPercent === undefined ? '–' : num(s.meanUtilizationPercent).toFixed(1) + '%';
    $('sum-pending').textContent = num(s.pendingTasks) || 0;
    $('sum-running').textContent = num(s.runningTasks) || 0;
    $('sum-nodes').textContent = num(s.nodes) || 0;
    $('sum-nodes-ready').textContent = num(s.nodesReady) || 0;
    $('sum-gpus-unhealthy').textContent = num(s.gpusUnhealthy) || 0;
  }

  function gpuCell(gpu) {
    var info = gpu.info || {};
    var status = gpu.status || {};
    var util = num(status.utilizationPercent);
    var cell = el('div', { 'class': 'gpu', 'data-index': info.index || 0 });
    cell.style.background = heat(util);
    cell.appendChild(el('div', { 'class': 'muted', text: 'GPU ' + (info.index || 0) }));
    cell.appendChild(el('div', { 'class': 'model', text: info.model || 'unknown model' }));
    cell.appendChild(el('div', { 'class': 'util', text: util === undefined ? '–' : util.toFixed(0) + '%' }));
    var mem = status.memoryUsedBytes !== undefined ? gib(status.memoryUsedBytes) : '?';
    cell.appendChild(el('div', { text: 'mem ' + mem + ' / ' + gib(info.memoryTotalBytes || 0) + ' GiB' }));
    var power = status.powerWatts !== undefined ? num(status.powerWatts).toFixed(0) + ' W' : '? W';
    var limit = status.powerLimitWatts || info.powerLimitWatts;
    var temp = status.temperatureCelsius !== undefined ? ' · ' + num(status.temperatureCelsius).toFixed(0) + ' °C' : '';
    cell.appendChild(el('div', { text: power + (limit ? ' / ' + num(limit).toFixed(0) + ' W' : '') + temp }));
    var flags = el('div');
    if (gpu.quarantine) {
      cell.classList.add('bad');
      flags.appendChild(el('span', { 'class': 'flag', title: gpu.quarantine.reason || '', text: 'quarantined' }));
    }
    if (gpu.status && !status.healthy) {
      cell.classList.add('bad');
      flags.appendChild(el('span', { 'class': 'flag', title: status.healthReason || '', text: 'unhealthy' + (status.healthReason ? ': ' + status.healthReason : '') }));
    }
    if (gpu.taskId) {
      flags.appendChild(el('span', { 'class': 'flag info' }, el('a', { href: '#/task/' + encodeURIComponent(gpu.taskId), style: 'color:#fff', text: gpu.taskId })));
      if (util !== undefined && util < 10) {
        cell.classList.add('idle-allocated');
        flags.appendChild(el('span', { 'class': 'flag warn', title: 'allocated to a task but under 10% utilized', text: 'idle while allocated' }));
      }
    }
    (gpu.sharedTaskIds || []).forEach(function (id) {
      flags.appendChild(el('span', { 'class': 'flag info', text: 'shared: ' + id }));
    });
    cell.appendChild(flags);
    return cell;
  }

  function renderNodes(body) {
    var box = $('nodes');
    box.textContent = '';
    var nodes = body.nodes || [];
    if (nodes.length === 0) {
      box.appendChild(el('p', { 'class': 'muted', text: 'No node has registered yet: start an agent (gpupool agent --controller ...).' }));
    }
    nodes.forEach(function (node) {
      var head = el('div', { 'class': 'node-head' },
        el('span', { 'class': 'node-name', text: node.name || node.id }),
        el('span', { 'class': 'state', text: stateName(node.state) }),
        node.cordoned ? el('span', { 'class': 'flag warn', text: 'cordoned' }) : null,
        el('span', { 'class': 'muted', text: (node.gpus || []).length + ((node.gpus || []).length === 1 ? ' GPU' : ' GPUs') + ' · agent ' + (node.agentVersion || '?') +
          (node.driverVersion ? ' · driver ' + node.driverVersion : '') + ' · heartbeat ' + since(node.lastHeartbeatTime) }));
      var gpus = el('div', { 'class': 'gpus' });
      (node.gpus || []).forEach(function (gpu) { gpus.appendChild(gpuCell(gpu)); });
      box.appendChild(el('div', { 'class': 'node', 'data-node': node.name || node.id }, head, gpus));
    });
  }

  function fillTable(id, tasks, row, emptyText) {
    var tbody = $(id).querySelector('tbody');
    tbody.textContent = '';
    if (tasks.length === 0) {
      tbody.appendChild(el('tr', null, el('td', { 'class': 'empty', colspan: '7', text: emptyText })));
    }
    tasks.forEach(function (task) { tbody.appendChild(row(task)); });
  }

  function renderPending(body) {
    fillTable('pending', body.tasks || [], function (t) {
      var spec = t.spec || {};
      var res = spec.resources || {};
      return el('tr', { 'class': 'task' },
        el('td', { 'class': 'task-name', text: spec.name || '' }),
        el('td', null, taskLink(t)),
        el('td', { text: spec.tenant || 'default' }),
        el('td', { text: String(res.gpus || 0) + (res.gpuModel ? ' × ' + res.gpuModel : '') }),
        el('td', { text: String(spec.priority || 0) }),
        el('td', { text: since(t.createTime) }),
        el('td', { 'class': 'reason', text: t.reason || '' }));
    }, 'No task is waiting.');
  }

  function renderRunning(body) {
    fillTable('running', body.tasks || [], function (t) {
      var spec = t.spec || {};
      var p = t.placement || {};
      return el('tr', { 'class': 'task' },
        el('td', { 'class': 'task-name', text: spec.name || '' }),
        el('td', null, taskLink(t)),
        el('td', { text: spec.tenant || 'default' }),
        el('td', { text: p.nodeName || p.nodeId || '' }),
        el('td', { text: (p.deviceIndices || []).join(', ') }),
        el('td', null, progressBar(t.progress), progressText(t.progress)),
        el('td', { text: since(t.startTime) }));
    }, 'No task is running.');
  }

  function refreshOverview() {
    return Promise.all([
      api('summary'), api('nodes'), api('tasks?state=pending'), api('tasks?state=running')
    ]).then(function (r) {
      renderSummary(r[0]);
      renderNodes(r[1]);
      renderPending(r[2]);
      renderRunning(r[3]);
    });
  }

  // ---- task page ----
  function refreshTask() {
    var view = taskView;
    return Promise.all([api('tasks/' + encodeURIComponent(view.id)),
      api('tasks/' + encodeURIComponent(view.id) + '/events?after=' + view.after)]).then(function (r) {
      if (view !== taskView) { return; }
      var t = r[0];
      var spec = t.spec || {};
      $('task-name').textContent = spec.name || t.id;
      $('task-state').textContent = stateName(t.state);
      $('task-state').className = 'state ' + stateName(t.state);
      $('task-id').textContent = t.id;
      var p = t.placement || {};
      $('task-meta').textContent = ' · tenant ' + (spec.tenant || 'default') + ' · ' + ((spec.resources || {}).gpus || 0) + ' GPUs' +
        (p.nodeName ? ' · on ' + p.nodeName + ' [' + (p.deviceIndices || []).join(',') + ']' : '') +
        (t.attempt ? ' · attempt ' + t.attempt : '');
      $('task-reason').textContent = t.reason || '';
      var pct = percentOf(t.progress);
      $('task-progress-bar').style.width = (pct === undefined ? (stateName(t.state) === 'SUCCEEDED' ? 100 : 0) : Math.min(100, pct)) + '%';
      $('task-progress-text').textContent = progressText(t.progress);
      var timeline = $('task-timeline');
      timeline.textContent = '';
      (t.transitions || []).forEach(function (tr) {
        timeline.appendChild(el('li', null, el('span', { 'class': 'state ' + stateName(tr.state), text: stateName(tr.state) }),
          ' ' + time(tr.time) + (tr.reason ? ' — ' + tr.reason : '')));
      });
      var logs = $('task-logs');
      var atBottom = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
      (r[1].events || []).forEach(function (e) {
        view.after = Math.max(view.after, num(e.sequence) || 0);
        if (e.log) {
          var stderr = e.log.stream === 'LOG_STREAM_STDERR';
          logs.appendChild(el('span', { 'class': stderr ? 'stderr' : 'stdout', text: (e.log.text || '') + '\n' }));
        }
      });
      if (atBottom) { logs.scrollTop = logs.scrollHeight; }
    });
  }

  // ---- routing and polling ----
  function route() {
    var match = /^#\/task\/(.+)$/.exec(window.location.hash);
    if (match) { return { task: decodeURIComponent(match[1]) }; }
    if (window.location.pathname === '/task') {
      var id = new URLSearchParams(window.location.search).get('id');
      if (id) { return { task: id }; }
    }
    return {};
  }

  function show(which) {
    $('overview').hidden = which !== 'overview';
    $('taskpage').hidden = which !== 'task';
    $('login').hidden = which !== 'login';
  }

  function tick() {
    clearTimeout(timer);
    var r = route();
    var work;
    if (r.task) {
      if (!taskView || taskView.id !== r.task) {
        taskView = { id: r.task, after: 0 };
        $('task-logs').textContent = '';
        $('task-timeline').textContent = '';
      }
      show('task');
      work = refreshTask();
    } else {
      taskView = null;
      show('overview');
      work = refreshOverview();
    }
    work.then(function () {
      $('connection').textContent = 'live · updated ' + new Date().toLocaleTimeString();
      $('forget-token').hidden = !localStorage.getItem(TOKEN_KEY);
      timer = setTimeout(tick, POLL_MS);
    }, function (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        $('login-reason').textContent = e.message;
        show('login');
        $('connection').textContent = 'not signed in';
        return; // polling resumes when a token is entered
      }
      $('connection').textContent = 'error: ' + (e.message || e) + ' (retrying)';
      timer = setTimeout(tick, POLL_MS * 2);
    });
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var token = $('login-token').value.trim();
    if (token) { localStorage.setItem(TOKEN_KEY, token); }
    $('login-token').value = '';
    tick();
  });
  $('forget-token').addEventListener('click', function () {
    localStorage.removeItem(TOKEN_KEY);
    tick();
  });
  window.addEventListener('hashchange', tick);
  tick();
})();
