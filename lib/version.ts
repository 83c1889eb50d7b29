/** The project's version, reported as `service.version` and by `--version`. */
export const VERSION = "0.1.0";
