declare module 'node-gyp-build' {
  /** Loads the addon of the package rooted at dir (local build first, then prebuilds/). */
  function load(dir: string): unknown;
  namespace load {
    /** The file load(dir) would require; throws when none matches this platform. */
    function resolve(dir: string): string;
  }
  export = load;
}
