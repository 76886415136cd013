/* digigate's DigiLocker SDK for the web: DigilockerSDK.open({session_id, brand, theme}) runs the
 * consent journey in a popup and reports its outcome with Sandbox's event names. Plain ES2017, no
 * dependencies, served by the gateway; see docs/sdk.md. */
(function () {
  'use strict';
  if (window.DigilockerSDK) return;
  var script = document.currentScript;
  // Messages are believed only from the gateway that served this script (and only from the popup
  // this script opened).
  var GATEWAY = new URL(script ? script.src : '/', location.href).origin;
  var PREFIX = 'in.co.sandbox.kyc.digilocker_sdk.';
  var OUTCOMES = [PREFIX + 'session.completed', PREFIX + 'session.failed'];
  var listener = null;
  var current = null;

  function emit(name, sessionId, extra) {
    var event = Object.assign({ type: PREFIX + name, session_id: sessionId, timestamp: Date.now() }, extra || {});
    if (typeof listener === 'function') {
      try { listener(event); } catch (e) { setTimeout(function () { throw e; }); }
    }
    window.dispatchEvent(new CustomEvent(PREFIX + name, { detail: event }));
  }

  function css(el, rules) {
    // CSSOM assignments, which a page's style-src policy does not govern (style attributes are).
    Object.keys(rules).forEach(function (k) { el.style[k] = rules[k]; });
    return el;
  }

  function make(tag, rules, text) {
    var el = css(document.createElement(tag), rules || {});
    if (text) el.textContent = text;
    return el;
  }

  function colour(seed) {
    return typeof seed === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(seed) ? seed : '#2d4fd6';
  }

  function overlay(options, onShow, onCancel) {
    var brand = options.brand || {};
    var dark = options.theme && options.theme.mode === 'dark';
    var seed = colour(options.theme && options.theme.seed);
    var back = make('div', {
      position: 'fixed', inset: '0', zIndex: '2147483647', background: 'rgba(15,20,30,.6)',
      display: 'flex', alignItems: 'center', justifyContent: 'center', padding: '1rem'
    });
    var card = make('div', {
      background: dark ? '#1d2433' : '#fff', color: dark ? '#f4f6fa' : '#1d2433', borderRadius: '12px',
      padding: '1.5rem', maxWidth: '22rem', width: '100%', fontFamily: 'system-ui,sans-serif',
      boxShadow: '0 4px 24px rgba(0,0,0,.3)', textAlign: 'center', boxSizing: 'border-box'
    });
    card.setAttribute('role', 'dialog');
    card.setAttribute('aria-modal', 'true');
    card.setAttribute('aria-labelledby', 'digigate-sdk-title');
    if (typeof brand.logo_url === 'string' && /^https?:|^data:image\//.test(brand.logo_url)) {
      var logo = make('img', { maxHeight: '48px', maxWidth: '100%', marginBottom: '.75rem' });
      logo.src = brand.logo_url;
      logo.alt = typeof brand.name === 'string' ? brand.name : '';
      card.appendChild(logo);
    }
    if (typeof brand.name === 'string' && brand.name) {
      card.appendChild(make('div', { fontSize: '.85rem', opacity: '.75', marginBottom: '.5rem' }, brand.name));
    }
    var title = make('h2', { fontSize: '1.15rem', margin: '0 0 .5rem' }, 'Continue in the DigiLocker window');
    title.id = 'digigate-sdk-title';
    card.appendChild(title);
    card.appendChild(make('p', { lineHeight: '1.5', margin: '0 0 1rem' },
      'DigiLocker opened in a new window. Sign in there and choose the documents to share; this page updates when you are done.'));
    var button = function (label, primary) {
      return make('button', {
        display: 'block', width: '100%', minHeight: '44px', margin: '.5rem 0 0', borderRadius: '8px',
        font: 'inherit', fontWeight: '600', cursor: 'pointer',
        border: primary ? '0' : '1px solid ' + seed,
        background: primary ? seed : 'transparent', color: primary ? '#fff' : (dark ? '#f4f6fa' : seed)
      }, label);
    };
    var show = button('Show the DigiLocker window', true);
    var cancel = button('Cancel', false);
    show.type = cancel.type = 'button';
    show.addEventListener('click', onShow);
    cancel.addEventListener('click', onCancel);
    card.appendChild(show);
    card.appendChild(cancel);
    back.appendChild(card);
    back.addEventListener('keydown', function (e) { if (e.key === 'Escape') onCancel(); });
    document.body.appendChild(back);
    show.focus();
    return back;
  }

  function finish(name, extra) {
    var session = current;
    if (!session) return;
    current = null;
    clearInterval(session.watch);
    window.removeEventListener('message', session.onMessage);
    if (session.overlay.parentNode) session.overlay.parentNode.removeChild(session.overlay);
    if (session.focus && session.focus.focus) session.focus.focus();
    if (!session.popup.closed) session.popup.close();
    emit(name, session.id, extra);
  }

  function open(options) {
    options = options || {};
    var id = options.session_id;
    if (typeof id !== 'string' || !/^[0-9A-Za-z-]{1,64}$/.test(id)) {
      throw new TypeError('DigilockerSDK.open needs the session_id that sessions/create answered');
    }
    if (current) {
      current.popup.focus();
      return;
    }
    emit('initialized', id);
    var url = GATEWAY + '/sdk/start/' + encodeURIComponent(id) + '?origin=' + encodeURIComponent(location.origin);
    var w = 480, h = 720;
    var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || w) - w) / 2);
    var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || h) - h) / 2);
    var popup = window.open(url, 'digigate-sdk-' + id, 'popup,width=' + w + ',height=' + h + ',left=' + left + ',top=' + top);
    if (!popup) {
      emit('session.failed', id, {
        reason: 'popup_blocked',
        message: 'The browser blocked the DigiLocker window: call DigilockerSDK.open from a click or tap.'
      });
      return;
    }
    var session = { id: id, popup: popup, focus: document.activeElement };
    session.onMessage = function (event) {
      if (event.origin !== GATEWAY || event.source !== session.popup) return;
      var m = event.data;
      if (!m || typeof m !== 'object' || m.session_id !== id || OUTCOMES.indexOf(m.type) < 0) return;
      var extra = { status: String(m.status || '') };
      if (m.reason) extra.reason = String(m.reason);
      finish(m.type.slice(PREFIX.length), extra);
    };
    window.addEventListener('message', session.onMessage);
    session.overlay = overlay(options, function () { popup.focus(); }, function () {
      finish('session.closed', { reason: 'cancelled' });
    });
    current = session;
    // A popup closed before it reported an outcome was closed by the person.
    session.watch = setInterval(function () {
      if (session.popup.closed && current === session) finish('session.closed', { reason: 'window_closed' });
    }, 300);
    emit('ready', id);
  }

  window.DigilockerSDK = Object.freeze({
    version: '1',
    open: open,
    /** One function called with every event (as the Flutter SDK's setEventListener). */
    setEventListener: function (fn) { listener = typeof fn === 'function' ? fn : null; },
    /** Closes the window and the overlay, as the person's Cancel does. */
    close: function () { finish('session.closed', { reason: 'closed_by_page' }); }
  });
})();
