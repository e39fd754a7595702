'use strict';
// Loads the compiled addon; types are in index.d.ts.
const path = require('node:path');

const addonPath = path.join(__dirname, 'build', 'Release', 'dropcap.node');

function load() {
  try {
    return require(addonPath);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      const missing = new Error('native addon not built: run npm run build');
      missing.code = 'ENATIVE';
      missing.cause = error;
      throw missing;
    }
    throw error;
  }
}

module.exports = load();
