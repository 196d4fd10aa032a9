import { problemCatalog } from '@easypark/kernel';

export const { problem, catalog: reservationProblems } = problemCatalog({
  RESERVATION_NOT_FOUND: { status: 404, title: 'No such reservation' },
  FACILITY_NOT_FOUND: { status: 404, title: 'No such facility' },
  SPACE_NOT_FOUND: { status: 404, title: 'No such space in the facility' },
  FACILITY_NOT_ACTIVE: { status: 409, title: 'The facility takes no reservations now' },
  INVALID_RESERVATION_WINDOW: { status: 400, title: 'The reservation window is not valid' },
  RESERVATION_IN_THE_PAST: { status: 400, title: 'A reservation cannot start in the past' },
  OUTSIDE_OPERATING_HOURS: { status: 400, title: 'The facility is not open for the whole window' },
  TOO_FAR_AHEAD: { status: 400, title: 'The facility does not take bookings that far ahead' },
  NO_SPACE_AVAILABLE: { status: 409, title: 'No space of that size is free for the whole window' },
  RESERVATION_OVERLAP: { status: 409, title: 'The space is already reserved for part of the window' },
  SPACE_NOT_RESERVABLE: { status: 409, title: 'The space cannot be reserved' },
  RESERVATION_EXPIRED: { status: 409, title: 'The reservation’s hold ran out' },
  RESERVATION_CANCELLED: { status: 409, title: 'The reservation was cancelled' },
  RESERVATION_NOT_PENDING: { status: 409, title: 'Only a pending reservation can be confirmed' },
  RESERVATION_NOT_CANCELLABLE: { status: 409, title: 'The reservation can no longer be cancelled' },
  RESERVATION_NOT_CONFIRMED: { status: 409, title: 'The reservation is not confirmed' },
  RESERVATION_ALREADY_USED: { status: 409, title: 'The reservation was already used to park' },
  ARRIVAL_TOO_EARLY: { status: 409, title: 'Too early for this reservation' },
  ARRIVAL_TOO_LATE: { status: 409, title: 'Too late for this reservation' },
});
