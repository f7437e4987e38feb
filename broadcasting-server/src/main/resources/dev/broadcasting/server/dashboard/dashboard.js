// The dashboard page: logs in, then follows one app over Server-Sent Events
// (/dashboard/api/apps/{id}/stream): a sample of its figures each second, new event log entries
// and the occupied channels. No framework; the server never sends an app's secret.
'use strict';

const $ = (id) => document.getElementById(id);
const CHARTS = [
  { title: 'connections', series: ['connections'] },
  { title: 'messages in / out per second', series: ['messagesIn', 'messagesOut'] },
  { title: 'client events per second', series: ['clientEvents'] },
  { title: 'refusals per second', series: ['refusals'] },
  { title: 'webhook backlog', series: ['webhookBacklog'] },
];
const HOUR = 3600;
const LOG_ROWS = 1000;

let stream = null;
let samples = [];      // [{t, connections, ...}], the last hour
let logEntries = [];   // newest last

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: 'same-origin' }, options));
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

function postJson(path, value) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });
}

async function start() {
  const apps = await api('/dashboard/api/apps');
  if (apps.ok) {
    showBoard(apps.body.apps);
  }
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  const answer = await postJson('/dashboard/login', { user: $('user').value, password: $('password').value });
  $('password').value = '';
  if (!answer.ok) {
    $('login-error').textContent = answer.body.error || ('Login failed: HTTP ' + answer.status);
    return;
  }
  showBoard(answer.body.apps);
});

$('logout').addEventListener('click', async () => {
  await postJson('/dashboard/logout', {});
  location.reload();
});

function showBoard(apps) {
  $('login').hidden = true;
  $('board').hidden = false;
  $('logout').hidden = false;
  $('app-picker').hidden = false;
  const select = $('app');
  select.replaceChildren(...apps.map((app) => new Option(app.id + ' (key ' + app.key + ')', app.id)));
  select.onchange = () => follow(select.value);
  follow(select.value);
}

function appPath(rest) {
  return '/dashboard/api/apps/' + encodeURIComponent($('app').value) + rest;
}

function follow(appId) {
  if (stream) {
    stream.close();
  }
  samples = [];
  logEntries = [];
  drawLog();
  $('status').textContent = 'connecting…';
  stream = new EventSource('/dashboard/api/apps/' + encodeURIComponent(appId) + '/stream');
  stream.onopen = () => { $('status').textContent = 'live: app ' + appId; };
  stream.onerror = () => {
    // a refused stream (the session expired, the server restarted) is closed for good: log in again
    if (stream.readyState === EventSource.CLOSED) {
      $('status').textContent = 'disconnected: reload the page and log in again';
    } else {
      $('status').textContent = 'reconnecting… (is the server up?)';
    }
  };
  stream.addEventListener('history', (e) => {
    const history = JSON.parse(e.data);
    // a new stream (also after a reconnect) sends the whole log again
    logEntries = [];
    samples = history.samples.map((row) => {
      const sample = { t: row[0] };
      history.series.forEach((name, i) => { sample[name] = row[i + 1]; });
      return sample;
    });
    drawCharts();
  });
  stream.addEventListener('sample', (e) => {
    samples.push(JSON.parse(e.data));
    if (samples.length > HOUR) {
      samples.shift();
    }
    drawCharts();
    $('status').textContent = 'live: app ' + appId + ', ' + samples[samples.length - 1].connections + ' connections';
  });
  stream.addEventListener('log', (e) => {
    logEntries.push(...JSON.parse(e.data));
    if (logEntries.length > LOG_ROWS) {
      logEntries.splice(0, logEntries.length - LOG_ROWS);
    }
    drawLog();
  });
  stream.addEventListener('channels', (e) => drawChannels(JSON.parse(e.data)));
}

function drawCharts() {
  const box = $('charts');
  if (!box.children.length) {
    for (const chart of CHARTS) {
      const div = document.createElement('div');
      div.className = 'chart';
      div.dataset.chart = chart.series.join(',');
      const title = document.createElement('h3');
      title.append(chart.title, Object.assign(document.createElement('span'), { className: 'now' }));
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('viewBox', '0 0 ' + HOUR + ' 100');
      svg.setAttribute('preserveAspectRatio', 'none');
      chart.series.forEach((_, i) => {
        const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
        line.setAttribute('class', 's' + i);
        line.setAttribute('vector-effect', 'non-scaling-stroke');
        svg.append(line);
      });
      div.append(title, svg);
      box.append(div);
    }
  }
  const now = samples.length ? samples[samples.length - 1].t : Date.now();
  // the x axis spans what was sampled, from one minute up to the hour, so a fresh server's lines are visible
  const span = Math.min(HOUR, Math.max(60, samples.length ? Math.ceil((now - samples[0].t) / 1000) : 0));
  CHARTS.forEach((chart, c) => {
    const div = box.children[c];
    div.querySelector('svg').setAttribute('viewBox', '0 0 ' + span + ' 100');
    div.querySelector('h3').title = 'the last ' + Math.round(span / 60) + ' minute(s)';
    const max = Math.max(1, ...samples.flatMap((s) => chart.series.map((name) => s[name])));
    div.querySelectorAll('polyline').forEach((line, i) => {
      const name = chart.series[i];
      line.setAttribute('points', samples.map((s) =>
        (span - (now - s.t) / 1000).toFixed(1) + ',' + (100 - (s[name] / max) * 95).toFixed(1)).join(' '));
    });
    const last = samples[samples.length - 1];
    div.querySelector('.now').textContent = last ? chart.series.map((name) => round(last[name])).join(' / ') : '';
  });
}

function round(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function drawChannels(data) {
  $('channel-total').textContent = '(' + data.total + ')';
  $('channels').replaceChildren(...data.channels.map((channel) => {
    const row = document.createElement('tr');
    row.dataset.channel = channel.name;
    for (const value of [channel.name, channel.subscriptions, channel.name.startsWith('presence-') ? channel.users : '']) {
      row.append(Object.assign(document.createElement('td'), { textContent: String(value) }));
    }
    if (channel.name.startsWith('presence-')) {
      row.className = 'presence';
      row.title = 'Show the members';
      row.onclick = () => showMembers(channel.name);
    }
    return row;
  }));
}

async function showMembers(channel) {
  const answer = await api(appPath('/channels/' + encodeURIComponent(channel) + '/members'));
  const box = $('members');
  box.replaceChildren(Object.assign(document.createElement('h3'), { textContent: 'Members of ' + channel }));
  const list = document.createElement('ul');
  for (const id of answer.body.ids || []) {
    const info = answer.body.hash ? JSON.stringify(answer.body.hash[id]) : '';
    list.append(Object.assign(document.createElement('li'), { textContent: id + ' ' + info }));
  }
  box.append(list);
}

$('socket-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const answer = await api(appPath('/sockets/' + encodeURIComponent($('socket-id').value.trim())));
  $('socket-result').textContent = answer.ok ? JSON.stringify(answer.body, null, 2) : answer.body.error;
});

$('event-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const answer = await postJson(appPath('/events'),
    { channel: $('event-channel').value.trim(), name: $('event-name').value.trim(), data: $('event-data').value });
  $('event-result').textContent = answer.ok ? 'Sent ' + $('event-name').value + ' to ' + $('event-channel').value
    : 'Refused: ' + answer.body.error;
});

for (const id of ['log-channel', 'log-kind']) {
  $(id).addEventListener('input', drawLog);
}

function drawLog() {
  const channel = $('log-channel').value.trim();
  const kind = $('log-kind').value;
  const shown = logEntries.filter((entry) => (!kind || entry.kind === kind)
    && (!channel || (entry.channel || '').includes(channel)));
  $('log').replaceChildren(...shown.slice(-200).reverse().map((entry) => {
    const row = document.createElement('tr');
    row.className = entry.kind;
    const cells = [new Date(entry.t).toLocaleTimeString(), entry.kind, entry.channel, entry.socket_id, entry.name,
      entry.bytes, entry.detail];
    for (const value of cells) {
      row.append(Object.assign(document.createElement('td'), { textContent: value === undefined ? '' : String(value) }));
    }
    return row;
  }));
}

start();
