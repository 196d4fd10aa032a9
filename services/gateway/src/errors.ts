import { problemCatalog } from '@easypark/kernel';

export const { problem, catalog: gatewayProblems } = problemCatalog({
  EMAIL_TAKEN: { status: 409, title: 'An account with this email exists' },
  UNSUPPORTED_GRANT_TYPE: { status: 400, title: 'The grant type is not supported' },
  TENANT_NOT_FOUND: { status: 404, title: 'No such tenant' },
  USER_NOT_FOUND: { status: 404, title: 'No such user' },
  SERVICE_NOT_FOUND: { status: 404, title: 'No such API' },
  INVALID_GRANT: { status: 400, title: 'The refresh token is not valid' },
  SIGNED_OUT: { status: 401, title: 'The session has been signed out' },
  LOGIN_THROTTLED: { status: 429, title: 'Too many failed sign-ins for this account' },
  API_KEY_NOT_FOUND: { status: 404, title: 'No such API key' },
  FACILITY_NOT_FOUND: { status: 404, title: 'No such facility' },
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, title: 'The identity provider cannot be reached' },
});
