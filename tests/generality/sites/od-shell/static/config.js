/* deployment settings: the gateway and its routes are set at run time by the operator's console */
window.__CONF__ = window.__CONF__ || {};
