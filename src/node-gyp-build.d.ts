declare module 'node-gyp-build' {
  /** Loads the addon of the package rooted at dir (local build first, then prebuilds/). */
  function load(dir: string): unknown;
  export = load;
}
