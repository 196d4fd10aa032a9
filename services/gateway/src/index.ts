export { publicApis, toPublicPath } from './apis.ts';
export { gatewayProblems } from './errors.ts';
export { type HumanRole, type OidcSettings, parseRoleMap } from './oidc.ts';
export { type GatewayOptions, gatewayService } from './service.ts';
