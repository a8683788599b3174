// Lint for the browser side: the extension (service worker modules, popup, content and page
// scripts), its unit tests and the end-to-end tests with their demo portal.
import js from "@eslint/js";
import globals from "globals";

export default [
  // target*/: cargo output dirs (including rustdoc JavaScript) of any build directory name.
  { ignores: ["node_modules/", "target*/", "tests/e2e/out/"] },
  js.configs.recommended,
  {
    files: ["extension/src/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser, ...globals.webextensions } },
  },
  {
    files: ["extension/src/content/**/*.js", "extension/src/page/**/*.js"],
    languageOptions: { sourceType: "script" },
  },
  {
    files: ["tests/e2e/portal/**/*.js"],
    languageOptions: { sourceType: "script", globals: globals.browser },
  },
  {
    files: ["extension/test/**/*.js", "tests/e2e/**/*.js", "tests/bench/**/*.js", "tests/e2e/**/*.mjs", "eslint.config.js"],
    ignores: ["tests/e2e/portal/**"],
    // Playwright callbacks in tests/e2e run in the page, hence the browser globals there.
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: "error",
      "prefer-const": "error",
    },
  },
];
