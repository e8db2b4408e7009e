/** The server's configuration errors are the shared util/ ConfigError (`zoo.cfg: key: reason`). */
export { ConfigError, configMessage } from '../../util/config-error.js';
