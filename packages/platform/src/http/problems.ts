import { AppError, commonProblem, toProblemDocument } from '@easypark/kernel';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** The one error handler: every failure leaves as application/problem+json, never a stack or SQL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (e.validation) {
    const errors = e.validation.map((issue) => ({
      field: fieldName(e.validationContext, issue),
      message: issue.message ?? issue.keyword,
    }));
    return commonProblem('VALIDATION_FAILED', errors.map((x) => `${x.field}: ${x.message}`).join('; '), {
      errors,
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return commonProblem('PAYLOAD_TOO_LARGE', 'The request body is larger than this route accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return commonProblem('UNSUPPORTED_MEDIA_TYPE', 'Send application/json');
    case 'FST_ERR_BAD_URL':
      return commonProblem('VALIDATION_FAILED', 'The path has a malformed %-escape');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return commonProblem('VALIDATION_FAILED', 'A path segment is longer than any id');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return commonProblem('VALIDATION_FAILED', 'The body is not valid JSON');
    case 'FST_ERR_RATE_LIMITED':
      return commonProblem('RATE_LIMITED', e.message);
  }
  if (e instanceof SyntaxError && e.statusCode === 400)
    return commonProblem('VALIDATION_FAILED', 'The body is not valid JSON');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('BAD_REQUEST', e.statusCode, 'The request could not be handled', e.message);
  }
  return commonProblem('INTERNAL_ERROR');
}

function fieldName(context: string | undefined, issue: AjvIssue): string {
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = issue.params.missingProperty ?? issue.params.additionalProperty;
  const leaf = typeof missing === 'string' ? (path ? `${path}.${missing}` : missing) : path;
  return context && context !== 'body' ? `${context}.${leaf || '(root)'}` : leaf || '(body)';
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  if (error.status === 429 && error.extensions.retry_after !== undefined) {
    reply.header('retry-after', String(error.extensions.retry_after));
  }
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(toProblemDocument(error, request.url.split('?')[0]));
}
