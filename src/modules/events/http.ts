/** What the events routes share: the serializer for a request, and the limits of a cover upload. */
import type { FastifyRequest } from 'fastify';
import { publicOrigin } from '../../core/origin.js';
import type { UploadConfig } from '../../core/http-contract.js';
import type { EventSerializer } from './serializer.js';
import type { EventsDeps } from './deps.js';

export function serializerFor(deps: EventsDeps): (request: FastifyRequest) => EventSerializer {
  return (request) => ({ media: deps.media, origin: publicOrigin(request, deps.config.publicBaseUrl) });
}

export function coverUploadLimits(deps: EventsDeps): UploadConfig {
  return {
    maxFileBytes: deps.imageMaxBytes,
    tooLarge: (max) => `Image trop volumineuse (maximum ${Math.floor(max / 1024)} Kio).`,
    acceptedFiles: ['image'],
  };
}
