/**
 * `/v2/certifications`: verify a certification at an instant and revoke it; plus
 * `/v2/users/:id/certifications`, a user's certifications with their status now.
 */
import {
  getCertificationAt,
  listUserCertifications,
  revokeCertification,
} from '../../learning/certifications.js';
import type { ApiServices } from '../app.js';
import {
  Certification,
  CertificationAt,
  CertificationAtQuery,
  ListUserCertificationsQuery,
  RevokeCertificationBody,
} from '../schemas/certifications.js';
import { IdParams, PageOf, problemResponses } from '../schemas/common.js';
import type { LyceumApp } from '../types.js';

/** Registers the certification routes, a user's certification list included. */
export function certificationRoutes(app: LyceumApp, { context }: ApiServices): void {
  app.get(
    '/v2/certifications/:id',
    {
      schema: {
        summary: 'Read a certification and its status at an instant (default now)',
        tags: ['certifications'],
        params: IdParams('certification'),
        querystring: CertificationAtQuery,
        response: { 200: CertificationAt, ...problemResponses(404, 422) },
      },
    },
    async function getCertificationRoute(request) {
      return getCertificationAt(context, request.params.id, request.query.at);
    },
  );

  app.post(
    '/v2/certifications/:id/revoke',
    {
      schema: {
        summary: 'Revoke a certification from now on',
        tags: ['certifications'],
        params: IdParams('certification'),
        body: RevokeCertificationBody,
        response: { 200: Certification, ...problemResponses(404, 409) },
      },
      // The reason is optional, so the whole body may be left out.
      preValidation: async function noBodyMeansNoReason(request) {
        request.body ??= {};
      },
    },
    async function revokeCertificationRoute(request) {
      return revokeCertification(context, request.params.id, request.body.reason);
    },
  );

  app.get(
    '/v2/users/:id/certifications',
    {
      schema: {
        summary: "List a user's certifications with their status now",
        tags: ['certifications', 'users'],
        params: IdParams('user'),
        querystring: ListUserCertificationsQuery,
        response: { 200: PageOf(Certification), ...problemResponses(404) },
      },
    },
    async function listUserCertificationsRoute(request) {
      return listUserCertifications(context, request.params.id, request.query);
    },
  );
}
