/**
 * The agent's side of service discovery: each configured service instance kept in Curator's
 * layout under `/services/<name>/<id>` while its checks pass (rise/fall) and it is not in
 * maintenance, removed or marked `enabled: false` otherwise. It only decides and calls the
 * ServiceRegistry recipe; it must never start or stop the app, and never read process.env.
 */
export {
  type RegistrationState,
  type RegistrationStatus,
  type ServiceRegistrationOptions,
  ServiceRegistration,
} from './service-registration.js';
