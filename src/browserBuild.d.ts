/**
 * `true` in the browser build (`dist/index.browser.js`, what package.json's `browser` condition
 * resolves to), `false` in the other builds (tsup's `define`), undefined when run from source
 * (tests, `tsx`): read it as `typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__`,
 * inline where it decides, so that a bundler's minifier folds it and drops every branch it
 * makes dead: the `ws` adapter and the loaders of the optional peers `ws` and `cross-fetch`,
 * which no browser can use.
 */
declare const __BOXLITE_BROWSER__: boolean | undefined;
